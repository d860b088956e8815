using IdentityBridge.Audit;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Endpoints;

/// <summary>
/// The audit record of a request refused at an endpoint clients call directly (token, pushed authorization): the
/// error and its description (or the detailed reason, when client authentication hid it from the caller), the
/// client, authenticated or only named. Never a secret, an assertion, a code or a token: callers pass only the protocol
/// error, whose description names parameters rather than quoting them (the few values it quotes, such as a refused
/// scope, are clipped and were told to the caller anyway), and, in <c>details</c>, what they choose to name.
/// </summary>
internal static class RefusalAudit
{
    /// <summary>Longest client id copied into the audit trail from an unauthenticated request.</summary>
    internal const int MaxClientId = 128;
    private const int MaxReason = 300;

    /// <summary>
    /// Writes one <paramref name="type"/> event for <paramref name="error"/>, with <paramref name="detail"/> instead
    /// of the error's description when given. The actor is the client when it authenticated, else anonymous; the
    /// client id is the authenticated one or, cut short, the one presented.
    /// </summary>
    public static Task WriteAsync(AuditLog audit, string type, ProtocolError error, RegisteredClient? client, string? clientIdTried,
        object details, CancellationToken ct, string? detail = null)
    {
        var clientId = client?.ClientId ?? Truncate(clientIdTried, MaxClientId);
        var description = detail ?? error.Description;
        var reason = Truncate(description is null ? error.Error : $"{error.Error}: {description}", MaxReason);
        return audit.WriteAsync(type, client?.ClientId ?? AuditLog.AnonymousActor, clientId: clientId, success: false, reason: reason, details: details, ct: ct);
    }

    /// <summary>
    /// At most <paramref name="max"/> characters of <paramref name="value"/>, never ending inside a surrogate pair:
    /// half a pair is not valid UTF-16, so the database could not store it as it is (a strict UTF-8 encoder refuses
    /// it, a lenient one replaces it) and the details JSON would not read back.
    /// </summary>
    internal static string? Truncate(string? value, int max)
    {
        if (value is null || value.Length <= max) return value;
        var cut = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
        return value[..cut];
    }
}
