using IdentityBridge.RelyingParty.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Fills the derived defaults (metadata address, time provider) and creates the metadata cache over the
/// scheme's backchannel. Runs after the OAuth post-configuration, which creates the backchannel and state format.
/// Endpoints are not copied into the options: they are read from the cached discovery document on each use, so a
/// provider that is down at startup does not prevent the host from starting.
/// </summary>
internal sealed class OidcClientPostConfigureOptions : IPostConfigureOptions<OidcClientOptions>
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;

    public OidcClientPostConfigureOptions(ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
    }

    public void PostConfigure(string? name, OidcClientOptions options)
    {
        options.TimeProvider ??= _timeProvider;

        if (string.IsNullOrEmpty(options.MetadataAddress) && IsAbsolute(options.Authority))
        {
            options.MetadataAddress = options.Authority!.TrimEnd('/') + "/.well-known/openid-configuration";
        }

        if (options.ConfigurationManager is null && IsAbsolute(options.MetadataAddress) && IsAbsolute(options.Authority) && options.Backchannel is not null)
        {
            var address = new Uri(options.MetadataAddress!);
            var retriever = new HttpDocumentRetriever(options.Backchannel)
            {
                RequireHttps = options.RequireHttpsMetadata && !address.IsLoopback,
            };
            options.ConfigurationManager = new OidcMetadataManager(
                options.MetadataAddress!,
                options.EffectiveIssuer,
                retriever,
                options.TimeProvider,
                OidcMetadataPolicy.From(options),
                _loggerFactory.CreateLogger<OidcMetadataManager>());
        }
    }

    private static bool IsAbsolute(string? value) => Uri.TryCreate(value, UriKind.Absolute, out _);
}
