using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IdentityBridge.Provider.Protocol;

/// <summary>
/// Request parameters read from a query string or form body under RFC 6749 §3.1-3.2 and Appendix B: names are
/// matched exactly (<c>CLIENT_ID</c> is an unknown parameter, not <c>client_id</c>, so it is ignored and repeats
/// nothing), a parameter sent without a value counts as omitted, a parameter sent twice makes the request invalid,
/// and names and values are UTF-8. ASP.NET Core's query and form collections match names regardless of letter case
/// and turn octets that are not UTF-8 into U+FFFD, so both are read here from the raw octets instead.
/// </summary>
public sealed class OAuthParameters
{
    /// <summary>RFC 8707 §2: the one parameter that may be repeated, to ask for several resources.</summary>
    public const string Resource = "resource";

    private readonly Dictionary<string, string> _values;
    private readonly List<(string? Name, ProtocolError Error)> _unreadable;
    private readonly List<(byte[] Name, byte[] Value)> _sent;

    private OAuthParameters(Dictionary<string, string> values, List<string> duplicates, List<(string?, ProtocolError)> unreadable, List<(byte[], byte[])> sent)
    {
        _values = values;
        Duplicates = duplicates;
        _unreadable = unreadable;
        _sent = sent;
    }

    /// <summary>Every parameter that was sent more than once, in the order of the request.</summary>
    public IReadOnlyList<string> Duplicates { get; }

    /// <summary>The first parameter that was sent more than once, if any.</summary>
    public string? Duplicate => Duplicates.Count > 0 ? Duplicates[0] : null;

    /// <summary>The parameters that were read, each with its first value; an unreadable parameter is not among them.</summary>
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

    /// <summary>
    /// The invalid_request for the first name or value that could not be read as text: not UTF-8 (RFC 6749
    /// Appendix B; decoded anyway it would come back altered, a state the client cannot recognise), or holding a
    /// NUL, which no parameter needs and PostgreSQL refuses in text. Null when every parameter was read.
    /// </summary>
    public ProtocolError? UnreadableError => _unreadable.Count > 0 ? _unreadable[0].Error : null;

    /// <summary>The invalid_request for <paramref name="name"/> when a value of it could not be read (<see cref="UnreadableError"/>), or null.</summary>
    public ProtocolError? Unreadable(string name)
    {
        foreach (var (unreadable, error) in _unreadable)
            if (unreadable == name) return error;
        return null;
    }

    public string? this[string name] => _values.GetValueOrDefault(name);

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>
    /// The parameters as a query string (with its "?"), every name and value as sent, repetitions and empty values
    /// included, each octet outside the unreserved characters percent-encoded: read again, it gives exactly these
    /// parameters, even octets that are not UTF-8. Empty for no parameters.
    /// </summary>
    public string ToQueryString()
    {
        if (_sent.Count == 0) return "";
        var query = new StringBuilder("?");
        foreach (var (name, value) in _sent)
        {
            if (query.Length > 1) query.Append('&');
            AppendEncoded(query, name).Append('=');
            AppendEncoded(query, value);
        }
        return query.ToString();
    }

    /// <summary>The parameters of a query string (with or without its leading "?"), as its raw, still percent-encoded text.</summary>
    public static OAuthParameters FromQuery(string? query)
    {
        var builder = new Builder();
        if (string.IsNullOrEmpty(query)) return builder.Build();
        // A request target arrives as ASCII, or as UTF-8 which the server has read as text: these are its octets again.
        ReadOnlySpan<byte> octets = Encoding.UTF8.GetBytes(query);
        if (octets[0] == (byte)'?') octets = octets[1..];
        while (!octets.IsEmpty)
        {
            var end = octets.IndexOf((byte)'&');
            builder.Add(end < 0 ? octets : octets[..end]);
            octets = end < 0 ? [] : octets[(end + 1)..];
        }
        return builder.Build();
    }

    /// <summary>The parameters of the request's query string.</summary>
    public static OAuthParameters FromQuery(HttpRequest request) => FromQuery(request.QueryString.Value);

    /// <summary>The error_description of a form beyond the limits of <see cref="FormOptions"/>.</summary>
    public const string TooManyOrTooLong = "The request has too many parameters or a parameter that is too long.";

    /// <summary>
    /// Reads the form body: the parameters, or else the invalid_request to answer with. That is
    /// <paramref name="notForm"/> when the request is not <c>application/x-www-form-urlencoded</c>; a body of that
    /// type which cannot be read says why instead: too many parameters, a name or value too long (the limits of
    /// <see cref="FormOptions"/>, counted in encoded octets as ASP.NET Core's form reader counts them), a body larger
    /// than the server takes, or a body that could not be read at all. The body is UTF-8 whatever charset the
    /// Content-Type names (RFC 6749 Appendix B). The form is also left on the request, for what reads it there
    /// (antiforgery), as ASP.NET Core would have read it.
    /// </summary>
    public static async Task<(OAuthParameters? Parameters, ProtocolError? Error)> ReadFormAsync(HttpRequest request, string notForm, CancellationToken ct)
    {
        if (!IsFormUrlEncoded(request)) return (null, ProtocolError.InvalidRequest(notForm));
        var limits = request.HttpContext.RequestServices.GetService<IOptions<FormOptions>>()?.Value ?? new FormOptions();
        try
        {
            var parameters = await ReadBodyAsync(request.BodyReader, limits, ct);
            request.HttpContext.Features.Set<IFormFeature>(new ReadFormFeature(parameters));
            return (parameters, null);
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

    /// <summary>
    /// The body, one name=value pair at a time: of what is not parsed yet no more is buffered than one pair within
    /// the limits could take, so a body beyond them is refused as soon as it is, without being read whole.
    /// </summary>
    private static async Task<OAuthParameters> ReadBodyAsync(PipeReader body, FormOptions limits, CancellationToken ct)
    {
        var builder = new Builder();
        var longestPair = (long)limits.KeyLengthLimit + 1 + limits.ValueLengthLimit;
        while (true)
        {
            var read = await body.ReadAsync(ct);
            var buffer = read.Buffer;
            try
            {
                while (buffer.PositionOf((byte)'&') is { } end)
                {
                    AddPair(builder, buffer.Slice(0, end), limits);
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }
                if (read.IsCompleted)
                {
                    AddPair(builder, buffer, limits);
                    buffer = buffer.Slice(buffer.End);
                    return builder.Build();
                }
                if (buffer.Length > longestPair) throw new InvalidDataException("A form parameter is too long.");
            }
            finally
            {
                // Also when a limit is exceeded: the server drains what is left of the body after the response.
                body.AdvanceTo(buffer.Start, read.Buffer.End);
            }
        }
    }

    private static void AddPair(Builder builder, ReadOnlySequence<byte> pair, FormOptions limits)
    {
        if (pair.IsEmpty) return;
        ReadOnlySpan<byte> octets = pair.IsSingleSegment ? pair.FirstSpan : pair.ToArray();
        var equals = octets.IndexOf((byte)'=');
        if ((equals < 0 ? octets.Length : equals) > limits.KeyLengthLimit || (equals < 0 ? 0 : octets.Length - equals - 1) > limits.ValueLengthLimit)
            throw new InvalidDataException("A form parameter is too long.");
        if (builder.Count >= limits.ValueCountLimit) throw new InvalidDataException("The form has too many parameters.");
        builder.Add(octets);
    }

    /// <summary>
    /// The form left on the request for what reads it there (antiforgery), built only if something does: as
    /// ASP.NET Core's own reader would have read it (names in any letter case, octets that are not UTF-8 replaced).
    /// </summary>
    private sealed class ReadFormFeature(OAuthParameters parameters) : IFormFeature
    {
        private IFormCollection? _form;

        public bool HasFormContentType => true;

        public IFormCollection? Form
        {
            get => _form ??= Build();
            set => _form = value;
        }

        public IFormCollection ReadForm() => Form!;

        public Task<IFormCollection> ReadFormAsync(CancellationToken cancellationToken) => Task.FromResult(ReadForm());

        private FormCollection Build()
        {
            var form = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in parameters._sent)
            {
                var key = Encoding.UTF8.GetString(name);
                form[key] = StringValues.Concat(form.GetValueOrDefault(key), Encoding.UTF8.GetString(value));
            }
            return new FormCollection(form);
        }
    }

    private static StringBuilder AppendEncoded(StringBuilder text, byte[] octets)
    {
        foreach (var octet in octets)
        {
            if (char.IsAsciiLetterOrDigit((char)octet) || octet is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~') text.Append((char)octet);
            else text.Append('%').Append(Convert.ToHexString([octet]));
        }
        return text;
    }

    /// <summary>Collects name=value pairs as sent, percent-encoded, into the parameters.</summary>
    private sealed class Builder
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly List<string> _duplicates = [];
        private readonly List<(string?, ProtocolError)> _unreadable = [];
        private readonly List<(byte[], byte[])> _sent = [];

        /// <summary>How many pairs were taken.</summary>
        public int Count => _sent.Count;

        public void Add(ReadOnlySpan<byte> pair)
        {
            if (pair.IsEmpty) return;
            var equals = pair.IndexOf((byte)'=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = Decode(equals < 0 ? [] : pair[(equals + 1)..]);
            _sent.Add((name, value));
            if (name.Length == 0) return;
            if (!Utf8.IsValid(name))
            {
                _unreadable.Add((null, ProtocolError.InvalidRequest("A parameter name is not valid UTF-8.")));
                return;
            }
            var key = Encoding.UTF8.GetString(name);
            if (name.Contains((byte)0))
            {
                _unreadable.Add((null, ProtocolError.InvalidRequest($"The parameter name {ErrorDescription.Echo(key)} contains a character that is not allowed.")));
                return;
            }
            // RFC 6749 §3.1: sent without a value, as if omitted.
            if (value.Length == 0) return;
            if (!_seen.Add(key) && !_duplicates.Contains(key)) _duplicates.Add(key);
            if (!Utf8.IsValid(value))
                _unreadable.Add((key, ProtocolError.InvalidRequest($"The {ErrorDescription.Echo(key)} parameter is not valid UTF-8.")));
            else if (value.Contains((byte)0))
                _unreadable.Add((key, ProtocolError.InvalidRequest($"The {ErrorDescription.Echo(key)} parameter contains a character that is not allowed.")));
            else
                _values.TryAdd(key, Encoding.UTF8.GetString(value));
        }

        public OAuthParameters Build()
        {
            // A parameter with a value that could not be read has no value to go by, even if another was readable.
            foreach (var (name, _) in _unreadable)
                if (name is not null) _values.Remove(name);
            return new OAuthParameters(_values, _duplicates, _unreadable, _sent);
        }

        /// <summary>
        /// The octets of a percent-encoded name or value: "+" is a space, "%" and two hex digits the octet they
        /// spell; a "%" without them stands for itself, as ASP.NET Core reads it.
        /// </summary>
        private static byte[] Decode(ReadOnlySpan<byte> encoded)
        {
            if (encoded.IndexOfAny((byte)'%', (byte)'+') < 0) return encoded.ToArray();
            var octets = new byte[encoded.Length];
            var length = 0;
            for (var i = 0; i < encoded.Length; i++)
            {
                var octet = encoded[i];
                if (octet == (byte)'+') octet = (byte)' ';
                else if (octet == (byte)'%' && i + 2 < encoded.Length && IsHex(encoded[i + 1]) && IsHex(encoded[i + 2]))
                {
                    octet = (byte)(HexValue(encoded[i + 1]) << 4 | HexValue(encoded[i + 2]));
                    i += 2;
                }
                octets[length++] = octet;
            }
            return octets[..length];
        }

        private static bool IsHex(byte octet) => char.IsAsciiHexDigit((char)octet);

        private static int HexValue(byte octet) => octet <= '9' ? octet - '0' : (octet | 0x20) - 'a' + 10;
    }
}
