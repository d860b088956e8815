using System.Diagnostics.CodeAnalysis;

namespace IdentityBridge.RelyingParty;

/// <summary>The outcome of a token request made by <see cref="OidcTokenClient"/>: tokens, or an OAuth error.</summary>
public sealed class OidcTokenResult
{
    private OidcTokenResult(string? accessToken, string? idToken, string? refreshToken, DateTimeOffset? expiresAt, OidcClientFailureException? failure)
    {
        AccessToken = accessToken;
        IdToken = idToken;
        RefreshToken = refreshToken;
        ExpiresAt = expiresAt;
        Failure = failure;
    }

    /// <summary>Whether tokens were issued (and a returned ID token validated).</summary>
    [MemberNotNullWhen(true, nameof(AccessToken))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    /// <summary>The new access token.</summary>
    public string? AccessToken { get; }

    /// <summary>The new ID token, when the provider returned one.</summary>
    public string? IdToken { get; }

    /// <summary>The rotated refresh token; null when the provider did not issue a new one (keep using the old one).</summary>
    public string? RefreshToken { get; }

    /// <summary>When the access token expires, from <c>expires_in</c>.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Why the request failed; <see cref="OidcClientFailureException.Error"/> is e.g. <c>invalid_grant</c>.</summary>
    public OidcClientFailureException? Failure { get; }

    internal static OidcTokenResult Success(string accessToken, string? idToken, string? refreshToken, DateTimeOffset? expiresAt) =>
        new(accessToken, idToken, refreshToken, expiresAt, null);

    internal static OidcTokenResult Fail(OidcClientFailureException failure) => new(null, null, null, null, failure);
}
