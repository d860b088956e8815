namespace XummSimulator.Model;

/// <summary>A user token: bound to one wallet and one application, alive 30 days after the last signature.</summary>
public sealed class SimulatedUserToken
{
    internal SimulatedUserToken(string token, string apiKey, string account, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        Token = token;
        ApiKey = apiKey;
        Account = account;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
    }

    public string Token { get; }

    public string ApiKey { get; }

    public string Account { get; }

    public DateTimeOffset IssuedAt { get; }

    public DateTimeOffset ExpiresAt { get; internal set; }

    public bool Revoked { get; internal set; }

    public bool IsActive(DateTimeOffset now) => !Revoked && now < ExpiresAt;
}
