namespace XummSimulator.Model;

/// <summary>An OAuth2 authorization in progress, keyed by the SignIn payload behind it.</summary>
internal sealed record AuthorizationRequest(
    string PayloadUuid,
    string ClientId,
    string RedirectUri,
    string Scope,
    string? State,
    string? Nonce,
    string? CodeChallenge,
    AuthorizationResponseType ResponseType)
{
    /// <summary>True for the implicit flow: the answer goes in the redirect's fragment.</summary>
    public bool Implicit => ResponseType != AuthorizationResponseType.Code;

    /// <summary>Set once the browser has been sent back with a code, a token or an error.</summary>
    public bool Completed { get; set; }
}
