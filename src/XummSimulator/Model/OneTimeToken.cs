namespace XummSimulator.Model;

/// <summary>An xApp one-time token (the <c>xAppToken</c> query parameter of an xApp page).</summary>
internal sealed record OneTimeToken(
    string Token,
    string ApiKey,
    string Account,
    XummNetwork Network,
    string Locale,
    string Style,
    DateTimeOffset ExpiresAt)
{
    public bool Used { get; set; }
}
