using Microsoft.Extensions.Options;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Creates the backchannel before the OAuth post-configuration would. Its own timeout is disabled on purpose:
/// every backchannel call is bounded by <c>BackchannelTimeout</c> measured with the scheme's
/// <see cref="TimeProvider"/>, so there is exactly one clock for timeouts (and tests can move it). Responses are
/// capped at 1 MB: discovery, keys, tokens and userinfo are small.
/// </summary>
internal sealed class OidcClientBackchannelSetup : IPostConfigureOptions<OidcClientOptions>
{
    private const int MaxResponseBytes = 1024 * 1024;

    public void PostConfigure(string? name, OidcClientOptions options)
    {
        if (options.Backchannel is not null)
        {
            return;
        }

        var backchannel = new HttpClient(options.BackchannelHttpHandler ?? new HttpClientHandler())
        {
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
        backchannel.DefaultRequestHeaders.UserAgent.ParseAdd("IdentityBridge-RelyingParty/1.0");
        options.Backchannel = backchannel;
    }
}
