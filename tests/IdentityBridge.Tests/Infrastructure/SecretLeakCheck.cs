namespace IdentityBridge.Tests.Infrastructure;

/// <summary>Raised when a secret shows up where it must never be.</summary>
public sealed class SecretLeakException(string message) : Exception(message);

/// <summary>
/// Looks for a secret in captured text: as written, with its first hyphen removed (the webhook key as the
/// platform's sample derives it) and with every hyphen removed; case does not matter. Reports where, masked.
/// </summary>
public static class SecretLeakCheck
{
    public static IReadOnlyList<string> Forms(string secret) =>
        new[] { secret, RemoveFirstHyphen(secret), secret.Replace("-", "", StringComparison.Ordinal) }
            .Where(f => f.Length >= 8)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    public static void AssertNoLeak(string? secret, IEnumerable<string> logLines, IEnumerable<string> responses)
    {
        if (string.IsNullOrEmpty(secret)) return;
        var forms = Forms(secret);
        var leakedLogs = logLines.Where(line => Contains(line, forms)).ToList();
        var leakedResponses = responses.Where(response => Contains(response, forms)).ToList();
        if (leakedLogs.Count == 0 && leakedResponses.Count == 0) return;
        var first = Mask(leakedLogs.FirstOrDefault() ?? leakedResponses[0], forms);
        throw new SecretLeakException(
            $"The Xumm API secret appears in {leakedLogs.Count} log line(s) and {leakedResponses.Count} response(s). First, masked:\n" +
            (first.Length > 2000 ? first[..2000] : first));
    }

    private static bool Contains(string text, IReadOnlyList<string> forms) =>
        forms.Any(f => text.Contains(f, StringComparison.OrdinalIgnoreCase));

    private static string Mask(string text, IReadOnlyList<string> forms) =>
        forms.Aggregate(text, (current, f) => current.Replace(f, "***", StringComparison.OrdinalIgnoreCase));

    private static string RemoveFirstHyphen(string secret)
    {
        var index = secret.IndexOf('-', StringComparison.Ordinal);
        return index < 0 ? secret : secret.Remove(index, 1);
    }
}
