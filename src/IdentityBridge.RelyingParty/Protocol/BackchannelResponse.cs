using System.Net;

namespace IdentityBridge.RelyingParty.Protocol;

/// <summary>A backchannel answer read to the end, or the reason none arrived.</summary>
internal sealed record BackchannelResponse(HttpStatusCode StatusCode, string? MediaType, string Body, OidcClientFailureException? Failure)
{
    public bool IsSuccessStatusCode => (int)StatusCode is >= 200 and < 300;

    public bool IsServerError => (int)StatusCode >= 500 || StatusCode == HttpStatusCode.TooManyRequests;
}
