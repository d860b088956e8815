using System.Text.Json.Serialization;
using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// What is known about the user's authentication behind a token: the session (when there is one), when
/// and how the user signed in, and with which wallet on which network.
/// </summary>
public sealed record LoginFacts(
    [property: JsonPropertyName("sid")] string? SessionId,
    [property: JsonPropertyName("auth_time")] DateTimeOffset AuthTime,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("acr")] string? Acr,
    [property: JsonPropertyName("wallet")] string? Wallet,
    [property: JsonPropertyName("network")] string? Network)
{
    /// <summary>The acr reported when the sign-in did not record one: one proven factor (possession of the wallet key).</summary>
    public const string DefaultAcr = "1";

    public static LoginFacts FromSession(Session session) =>
        new(session.Id, session.AuthTime, session.Method, session.Acr, session.Wallet, session.Network);

    /// <summary>RFC 8176 amr: proof of possession of a software-held key, and the sign-in method.</summary>
    public IReadOnlyList<string> Amr => Method == "swk" ? ["swk"] : ["swk", Method];

    public string EffectiveAcr => Acr ?? DefaultAcr;
}
