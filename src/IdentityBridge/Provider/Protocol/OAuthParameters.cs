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

    /// <summary>The error_description of a form beyond the limits of <see cref="Microsoft.AspNetCore.Http.Features.FormOptions"/>.</summary>
    public const string TooManyOrTooLong = "The request has too many parameters or a parameter that is too long.";

    /// <summary>
    /// Reads the form body: the parameters, or else the invalid_request to answer with. That is
    /// <paramref name="notForm"/> when the request is not <c>application/x-www-form-urlencoded</c>; a body of that
    /// type which the form reader refuses says why instead: too many parameters, a name or value too long (the
    /// limits of <see cref="Microsoft.AspNetCore.Http.Features.FormOptions"/>), a body larger than the server takes,
    /// or a body that could not be read at all.
    /// </summary>
    public static async Task<(OAuthParameters? Parameters, ProtocolError? Error)> ReadFormAsync(HttpRequest request, string notForm, CancellationToken ct)
    {
        if (!IsFormUrlEncoded(request)) return (null, ProtocolError.InvalidRequest(notForm));
        try
        {
            var form = await request.ReadFormAsync(ct);
            return (From(form), null);
        }
        catch (InvalidDataException)
        {
            return (null, ProtocolError.InvalidRequest(TooManyOrTooLong));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ProtocolError.InvalidRequest("The request body is too large."));
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException)
        {
            return (null, ProtocolError.InvalidRequest("The request body could not be read."));
        }
    }

    public static bool IsFormUrlEncoded(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
        type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
