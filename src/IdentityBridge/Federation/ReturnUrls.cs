using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Federation;

/// <summary>What a login's return URL says when it resumes an authorize request.</summary>
public sealed record AuthorizeReturn(string? ClientId, string? LoginHint);

/// <summary>
/// Rules for the <c>returnUrl</c> of a login: only a path on this host is followed (no scheme, no
/// <c>//host</c>, no backslash or control-character tricks browsers would read as another host).
/// </summary>
public static class ReturnUrls
{
    public const string AuthorizePath = "/connect/authorize";

    public static bool IsLocal(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > Provider.Interaction.LoginInteraction.MaxReturnUrlLength || url[0] != '/') return false;
        if (url.Length > 1 && (url[1] == '/' || url[1] == '\\')) return false;
        foreach (var c in url)
            if (c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c)) return false;
        return Uri.TryCreate(url, UriKind.Relative, out _);
    }

    /// <summary>The client and login hint of a local <c>/connect/authorize</c> return URL, or null for anything else.</summary>
    public static AuthorizeReturn? ParseAuthorize(string? url, PathString pathBase)
    {
        if (!IsLocal(url)) return null;
        var question = url!.IndexOf('?');
        var path = question < 0 ? url : url[..question];
        if (url.Contains('#') || !string.Equals(path, pathBase + AuthorizePath, StringComparison.Ordinal)) return null;
        var query = QueryHelpers.ParseQuery(question < 0 ? "" : url[question..]);
        return new(Single(query, "client_id"), Single(query, "login_hint"));
    }

    private static string? Single(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string name) =>
        query.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
