namespace XummSimulator.Internal;

/// <summary>
/// The platform's own redirect-URI rule, weak on purpose: a requested URI is accepted when it starts
/// with a registered one, and a registered host <c>*.example.com</c> accepts any subdomain.
/// </summary>
internal static class RedirectUriMatcher
{
    private const string WildcardMarker = "://*.";

    public static bool Matches(IEnumerable<string> registered, string requested) =>
        registered.Any(pattern => Matches(pattern, requested));

    public static bool Matches(string pattern, string requested)
    {
        var marker = pattern.IndexOf(WildcardMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return requested.StartsWith(pattern, StringComparison.Ordinal);
        }

        var scheme = pattern[..(marker + 3)];
        if (!requested.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // ".example.com/callback" and "app.example.com/callback/x"
        var (hostSuffix, patternTail) = SplitHost(pattern[(marker + 4)..]);
        var (requestedHost, requestedTail) = SplitHost(requested[scheme.Length..]);
        return requestedHost.Length > hostSuffix.Length
            && requestedHost.EndsWith(hostSuffix, StringComparison.OrdinalIgnoreCase)
            && requestedTail.StartsWith(patternTail, StringComparison.Ordinal);
    }

    private static (string Host, string Tail) SplitHost(string afterScheme)
    {
        var end = afterScheme.IndexOfAny(['/', ':', '?', '#']);
        return end < 0 ? (afterScheme, "") : (afterScheme[..end], afterScheme[end..]);
    }
}
