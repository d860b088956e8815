namespace XummSimulator.Model;

/// <summary>A single-use authorization code and what it stands for.</summary>
internal sealed record AuthorizationCode(
    string Code,
    string ClientId,
    string RedirectUri,
    string Scope,
    string? Nonce,
    string? CodeChallenge,
    string PayloadUuid,
    string Account,
    XummNetwork Network,
    string? UserToken,
    DateTimeOffset ExpiresAt)
{
    public bool Used { get; set; }
}
