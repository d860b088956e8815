using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Why a sign-in failed, as an OAuth error code with an optional description. Handed to
/// <c>OnRemoteFailure</c> as the failure; also copied into <see cref="Exception.Data"/> under
/// <c>error</c>, <c>error_description</c> and <c>error_uri</c> like the framework's own handlers do.
/// </summary>
public sealed class OidcClientFailureException : AuthenticationFailureException
{
    /// <summary>Creates a failure with an error code and a description.</summary>
    public OidcClientFailureException(string error, string? errorDescription, string? errorUri = null, Exception? innerException = null)
        : base(BuildMessage(error, errorDescription), innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        Error = error;
        ErrorDescription = errorDescription;
        ErrorUri = errorUri;
        Data["error"] = error;
        Data["error_description"] = errorDescription;
        Data["error_uri"] = errorUri;
    }

    /// <summary>The OAuth error code (see <see cref="OidcClientErrors"/>).</summary>
    public string Error { get; }

    /// <summary>A human-readable description; never contains tokens or secrets.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The <c>error_uri</c> sent by the provider, if any.</summary>
    public string? ErrorUri { get; }

    private static string BuildMessage(string error, string? description) =>
        string.IsNullOrEmpty(description) ? error : $"{error}: {description}";
}
