namespace IdentityBridge.Provider.Protocol;

/// <summary>
/// Request parameters read from a query string or form body under RFC 6749 §3.1: a parameter sent
/// without a value counts as omitted, and a parameter sent twice makes the request invalid.
/// </summary>
public sealed class OAuthParameters
{
    /// <summary>RFC 8707 §2: the one parameter that may be repeated, to ask for several resources.</summary>
    public const string Resource = "resource";

    private readonly Dictionary<string, string> _values;

    private OAuthParameters(Dictionary<string, string> values, IReadOnlyList<string> duplicates)
    {
        _values = values;
        Duplicates = duplicates;
    }

    /// <summary>Every parameter that was sent more than once, in the order of the request.</summary>
    public IReadOnlyList<string> Duplicates { get; }

    /// <summary>The first parameter that was sent more than once, if any.</summary>
    public string? Duplicate => Duplicates.Count > 0 ? Duplicates[0] : null;

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>
    /// RFC 6749 §3.1-3.2 (and the RFC 7009, RFC 7662 and RFC 6750 requests built on them): a parameter sent more
    /// than once makes the request an invalid_request. <c>resource</c> may be repeated (RFC 8707 §2), but the
    /// bridge issues a token for one resource at a time, so several are invalid_target. The error to answer
    /// with, or null.
    /// </summary>
    public ProtocolError? DuplicateError =>
        Duplicates.FirstOrDefault(name => name != Resource) is { } name
            ? ProtocolError.InvalidRequest($"The {ErrorDescription.Echo(name)} parameter was sent more than once.")
            : Duplicates.Count > 0
                ? new ProtocolError(ProtocolErrors.InvalidTarget, "Only one resource per request is supported: send the resource parameter once.")
                : null;

    public string? this[string name] => _values.GetValueOrDefault(name);

    public bool Has(string name) => _values.ContainsKey(name);

    public static OAuthParameters From(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> source)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        foreach (var (key, raw) in source)
        {
            var nonEmpty = raw.Where(v => !string.IsNullOrEmpty(v)).ToList();
            if (nonEmpty.Count == 0) continue;
            if (nonEmpty.Count > 1) duplicates.Add(key);
            values[key] = nonEmpty[0]!;
        }
        return new OAuthParameters(values, duplicates);
    }

    public static OAuthParameters From(IEnumerable<KeyValuePair<string, string>> source) =>
        From(source.Select(p => new KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>(p.Key, p.Value)));

    /// <summary>Reads the form body when the request is <c>application/x-www-form-urlencoded</c>; null otherwise.</summary>
    public static async Task<OAuthParameters?> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsFormUrlEncoded(request)) return null;
        try
        {
            var form = await request.ReadFormAsync(ct);
            return From(form);
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    public static bool IsFormUrlEncoded(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
