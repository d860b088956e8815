using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Raised when the challenge cannot redirect to the provider (metadata unreachable or incomplete).
/// Call <see cref="HandleResponse"/> after writing a response; otherwise the handler answers 503.
/// </summary>
public sealed class OidcChallengeFailedContext : PropertiesContext<OidcClientOptions>
{
    /// <summary>Creates the context.</summary>
    public OidcChallengeFailedContext(
        HttpContext context,
        AuthenticationScheme scheme,
        OidcClientOptions options,
        AuthenticationProperties properties,
        OidcClientFailureException failure)
        : base(context, scheme, options, properties)
    {
        Failure = failure;
    }

    /// <summary>Why the challenge failed.</summary>
    public OidcClientFailureException Failure { get; }

    /// <summary>Whether a response was written.</summary>
    public bool Handled { get; private set; }

    /// <summary>Marks the response as written.</summary>
    public void HandleResponse() => Handled = true;
}
