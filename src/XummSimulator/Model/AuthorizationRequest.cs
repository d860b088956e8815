namespace XummSimulator.Model;

/// <summary>An OAuth2 authorization in progress, keyed by the SignIn payload behind it.</summary>
internal sealed record AuthorizationRequest(
    string PayloadUuid,
    string ClientId,
    string RedirectUri,
    string Scope,
    string? State,
    string? Nonce,
    string? CodeChallenge)
{
    /// <summary>Set once the browser has been sent back with a code or an error.</summary>
    public bool Completed { get; set; }
}
