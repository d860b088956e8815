using System.Text;

namespace IdentityBridge.Clients;

/// <summary>
/// Redirect URI rules. Registration refuses what can never be safe or never be redirected to (a URI that is
/// not ASCII cannot be a Location header); matching is exact (RFC 9700 §4.1),
/// with the one exception RFC 8252 §7.3 requires: loopback IP literals match on any port.
/// </summary>
public static class RedirectUriRules
{
    private static readonly string[] ForbiddenSchemes = ["javascript", "data", "vbscript", "file", "blob", "about"];

    /// <summary>Null when <paramref name="uri"/> may be registered; otherwise the reason it may not.</summary>
    public static string? CheckRegistration(string? uri, bool isNative)
    {
        if (string.IsNullOrWhiteSpace(uri)) return "must not be empty";
        if (uri.Length > 2000) return "is longer than 2000 characters";
        if (uri.Any(char.IsWhiteSpace) || uri.Any(char.IsControl)) return "must not contain white space or control characters";
        // The URI is sent back as written in a Location header, which is ASCII only (RFC 9110 §5.5).
        if (!Ascii.IsValid(uri))
            return "must be ASCII: percent-encode other characters as UTF-8 (café as caf%C3%A9), and write an international host name in its xn-- form";
        if (uri.Contains('*')) return "must not contain wildcards: redirect URIs match exactly";
        if (uri.Contains('#')) return "must not contain a fragment (#)";
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)) return "must be an absolute URI";
        var scheme = parsed.Scheme.ToLowerInvariant();
        if (ForbiddenSchemes.Contains(scheme)) return $"the '{scheme}:' scheme is not allowed";
        if (!string.IsNullOrEmpty(parsed.UserInfo)) return "must not contain user information";
        if (scheme == "https") return string.IsNullOrEmpty(parsed.Host) ? "must have a host" : null;
        if (scheme == "http")
            return IsLoopbackHost(parsed) ? null : "http is allowed only for loopback hosts (127.0.0.1, [::1], localhost); use https";
        // Private-use URI scheme (RFC 8252 §7.1): native apps only, reverse domain name with a period.
        if (!isNative) return $"the '{scheme}:' scheme is allowed only for native (public) clients";
        if (!scheme.Contains('.')) return "a private-use scheme must be a reverse domain name containing a period, e.g. com.example.app:/callback";
        return null;
    }

    /// <summary>
    /// The host component of a redirect URI in lower case, or its scheme for a private-use URI without a host:
    /// what OIDC Core §8.1 takes as the pairwise sector when no sector identifier is registered. Null when
    /// <paramref name="uri"/> is not an absolute URI.
    /// </summary>
    public static string? SectorHostOf(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var u) ? (u.Host.Length > 0 ? u.Host.ToLowerInvariant() : u.Scheme) : null;

    /// <summary>True when <paramref name="requested"/> equals a registered URI under RFC 9700/8252 rules.</summary>
    public static bool Matches(IEnumerable<string> registered, string? requested)
    {
        if (string.IsNullOrEmpty(requested)) return false;
        foreach (var candidate in registered)
        {
            if (string.Equals(candidate, requested, StringComparison.Ordinal)) return true;
            if (LoopbackMatch(candidate, requested)) return true;
        }
        return false;
    }

    private static bool LoopbackMatch(string registered, string requested) =>
        SplitLoopback(registered) is { } r && SplitLoopback(requested) is { } q && r == q;

    /// <summary>
    /// For <c>http://127.0.0.1[:port]rest</c> or <c>http://[::1][:port]rest</c>, the host and the rest
    /// (path and query) as written; the port is dropped. Parsed by hand so that no URI normalisation
    /// (case, dot segments, escapes) can make two different strings equal.
    /// </summary>
    private static (string Host, string Tail)? SplitLoopback(string uri)
    {
        string host;
        if (uri.StartsWith("http://127.0.0.1", StringComparison.Ordinal)) host = "127.0.0.1";
        else if (uri.StartsWith("http://[::1]", StringComparison.Ordinal)) host = "[::1]";
        else return null;
        var i = "http://".Length + host.Length;
        if (i < uri.Length && uri[i] == ':')
        {
            var digits = i + 1;
            while (digits < uri.Length && char.IsAsciiDigit(uri[digits])) digits++;
            if (digits == i + 1 || digits - i - 1 > 5) return null;
            i = digits;
        }
        var rest = uri[i..];
        if (rest.Length > 0 && rest[0] is not ('/' or '?')) return null;
        return (host, rest);
    }

    private static bool IsLoopbackHost(Uri uri) =>
        uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
}
