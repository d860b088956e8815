using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// One HTTP request as the fuzzer sees it: every part it can take apart and put together again. Query and form
/// pairs are kept as their raw, still percent-encoded text, so a mutation can put octets there that no encoder
/// would write (invalid UTF-8, a lone surrogate's three bytes, a stray %).
/// </summary>
public sealed class FuzzRequest
{
    public string Method { get; set; } = "GET";
    public string Path { get; set; } = "/";
    /// <summary>Indexes of the path segments that are route values (ids), which a mutation may replace.</summary>
    public List<int> RouteSegments { get; init; } = [];
    public List<KeyValuePair<string, string?>> Query { get; set; } = [];
    /// <summary>A pair whose value is null is sent without its '='.</summary>
    public List<KeyValuePair<string, string?>>? Form { get; set; }
    public string? Json { get; set; }
    public byte[]? RawBody { get; set; }
    public string? ContentType { get; set; }
    /// <summary>Send the body without a Content-Length (chunked on a real server).</summary>
    public bool Streamed { get; set; }
    public List<KeyValuePair<string, string>> Headers { get; set; } = [];
    /// <summary>Re-signs a JWT whose claims a mutation changed (header JSON, payload JSON → token), when the key is known.</summary>
    public Func<string, string, string>? JwtSigner { get; set; }
    /// <summary>Runs on the final request just before it is sent (a signature over the mutated body, say).</summary>
    public Action<FuzzRequest>? Finish { get; set; }

    public static List<KeyValuePair<string, string?>> Pairs(params (string Name, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string?>(Uri.EscapeDataString(p.Name), Uri.EscapeDataString(p.Value))).ToList();

    /// <summary>This request, signing changed JWT claims with <paramref name="signer"/>.</summary>
    public FuzzRequest With(Func<string, string, string> signer)
    {
        JwtSigner = signer;
        return this;
    }

    public FuzzRequest Clone() => new()
    {
        Method = Method,
        Path = Path,
        RouteSegments = [.. RouteSegments],
        Query = [.. Query],
        Form = Form is null ? null : [.. Form],
        Json = Json,
        RawBody = RawBody,
        ContentType = ContentType,
        Streamed = Streamed,
        Headers = [.. Headers],
        JwtSigner = JwtSigner,
        Finish = Finish,
    };

    public static string Join(IEnumerable<KeyValuePair<string, string?>> pairs) =>
        string.Join('&', pairs.Select(p => p.Value is null ? p.Key : p.Key + "=" + p.Value));

    /// <summary>The body's octets as they will be sent.</summary>
    public byte[]? BodyBytes() =>
        RawBody ?? (Form is not null ? Encoding.UTF8.GetBytes(Join(Form)) : Json is not null ? Encoding.UTF8.GetBytes(Json) : null);

    public HttpRequestMessage ToMessage()
    {
        var target = Path + (Query.Count > 0 ? "?" + Join(Query) : "");
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(target, UriKind.Relative));
        var body = BodyBytes();
        if (body is not null)
        {
            message.Content = Streamed ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
            if (ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        foreach (var (name, value) in Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && message.Content is not null)
            {
                message.Content.Headers.Remove("Content-Type");
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return message;
    }

    /// <summary>The request in a line or two, long values cut, for a failure message that can be turned into a test.</summary>
    public string Describe()
    {
        static string Cut(string s) => s.Length <= 160 ? s : s[..120] + $"…({s.Length} chars)";
        var sb = new StringBuilder().Append(Method).Append(' ').Append(Cut(Path));
        if (Query.Count > 0) sb.Append('?').Append(Cut(Join(Query)));
        foreach (var (name, value) in Headers) sb.Append("\n  ").Append(Cut(name)).Append(": ").Append(Cut(value));
        if (ContentType is not null) sb.Append("\n  Content-Type: ").Append(Cut(ContentType));
        if (Streamed) sb.Append("\n  (no Content-Length)");
        var body = BodyBytes();
        if (body is not null) sb.Append("\n  body: ").Append(Cut(Encoding.UTF8.GetString(body)));
        return sb.ToString();
    }

    /// <summary>A stream that does not tell its length, so the request goes without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>
/// A seeded mutation fuzzer: from a valid request it derives hostile ones (parameters dropped, repeated, reordered,
/// renamed; values swapped for edge cases; JSON with the wrong types, nested too deep, keys named twice; odd content
/// types, bodies and headers; JWTs with alg none, the wrong alg, broken segments, huge or mistyped claims). The same
/// seed always yields the same requests.
/// </summary>
public sealed class RequestFuzzer(int seed)
{
    private readonly Random _random = new(seed);

    public const int Huge = 100 * 1024;

    /// <summary>Values as text (percent-encoded when put in a query or form; JSON-escaped in JSON).</summary>
    public static readonly string[] EdgeValues =
    [
        "", " ", "\t", "null", "true", "[]", "{}", "0", "-1", "-0", "1.5", "1e309", "NaN", "Infinity", "0x10",
        "99999999999999999999999999999999999999", "-9223372036854775809", "9223372036854775808", "2147483648", "-2147483649",
        "a\0b", "\0", "\u0001\u001b\u007f", "\r\nSet-Cookie: x=y", "\u0085\u2028\u2029", "\u202Eevil", "\u200B", "\uFEFF",
        "ｗｅｂ", "we\u0301b", "\u212Aelvin", "ı", "ß", "😀", "\u00A0", "Ω", "ﬁ", "A\u030A", "\u0130",
        "../../etc/passwd", "..", ".", "/", "//evil.example/cb", "/\\evil.example", "\\\\evil", "https://evil.example/cb", "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "https://app.example/cb/../evil", "https://app.example/cb?x=1#frag", "https://app.example@evil.example/cb",
        "HTTPS://APP.EXAMPLE/CB", "http://127.0.0.1:1/cb", "<script>alert(1)</script>", "\"'><img src=x>", "' OR '1'='1", "%", "%00", "+",
        "a.b.c", "....", "eyJhbGciOiJub25lIn0.e30.", "e30", "====", "YQ==", "openid openid", "openid\u0000profile", "*", "~",
        "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "rrrrrrrrrrrrrrrrrrrrrhoLvTp", "00000000-0000-0000-0000-000000000000",
    ];

    /// <summary>Octets no encoder writes: invalid UTF-8, a lone surrogate in UTF-8 (%ED%A0%80), an overlong NUL, stray %.</summary>
    public static readonly string[] RawEncodedValues =
    [
        "%ED%A0%80", "%ED%BF%BF", "a%ED%A0%80b", "%C3%28", "%FF%FE", "%C0%80", "%E2%82", "%F4%90%80%80", "%", "%z", "%zz", "%%", "%0", "a%", "%%%",
        "%2e%2e%2f", "%EF%BB%BF", "%u0041", "+%20+", "a=b=c", "%26", "%3D",
    ];

    /// <summary>JSON values of every type, for type confusion.</summary>
    public static readonly string[] JsonEdges =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e309", "-1e309", "123456789012345678901234567890", "-9223372036854775809", "1E400",
        "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\\ud800\"", "\"x\"", "[]", "[null]", "[[[]]]", "{}", "{\"a\":1}", "\"1\"", "\"true\"",
        "[\"a\",\"a\"]", "\"rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh\"", "\"https://evil.example/cb\"", "\"\\u202e\"", "\"\\uFEFF\"",
    ];

    private static readonly string[] ContentTypes =
    [
        "text/plain", "application/json", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=\"", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x",
        "application/json; charset=latin1", "application/problem+json", "application/*", "*/*", "", ";", "%%%", "application/x-www-form-urlencoded, application/json",
        "APPLICATION/X-WWW-FORM-URLENCODED", "application/jsonx", "application/merge-patch+json",
    ];

    public string Pick(IReadOnlyList<string> values) => values[_random.Next(values.Count)];

    private int Next(int max) => _random.Next(max);

    private bool Chance(double p) => _random.NextDouble() < p;

    /// <summary>An edge value, percent-encoded or raw, for a query or form.</summary>
    public string EncodedEdge()
    {
        if (Chance(0.25)) return Pick(RawEncodedValues);
        if (Chance(0.05)) return new string('a', Huge);
        if (Chance(0.03)) return Uri.EscapeDataString(string.Concat(Enumerable.Repeat("é", 2000)));
        return Uri.EscapeDataString(Pick(EdgeValues));
    }

    /// <summary>The request with one to three mutations.</summary>
    public FuzzRequest Mutate(FuzzRequest original)
    {
        var request = original.Clone();
        var count = 1 + Next(3);
        for (var i = 0; i < count; i++) MutateOnce(request);
        return request;
    }

    private void MutateOnce(FuzzRequest r)
    {
        var options = new List<Action<FuzzRequest>>();
        if (r.Query.Count > 0 || Chance(0.3)) options.AddRange(Enumerable.Repeat<Action<FuzzRequest>>(x => x.Query = MutatePairs(x.Query, x.JwtSigner), 4));
        if (r.Form is not null) options.AddRange(Enumerable.Repeat<Action<FuzzRequest>>(x => x.Form = MutatePairs(x.Form!, x.JwtSigner), 5));
        if (r.Json is not null) options.AddRange(Enumerable.Repeat<Action<FuzzRequest>>(MutateJson, 5));
        options.Add(MutateBody);
        options.AddRange(Enumerable.Repeat<Action<FuzzRequest>>(MutateHeaders, 2));
        if (r.RouteSegments.Count > 0) options.AddRange(Enumerable.Repeat<Action<FuzzRequest>>(MutateRouteValue, 2));
        if (Chance(0.1)) options.Add(MutateMethod);
        options[Next(options.Count)](r);
    }

    private List<KeyValuePair<string, string?>> MutatePairs(List<KeyValuePair<string, string?>> source, Func<string, string, string>? signer)
    {
        var pairs = new List<KeyValuePair<string, string?>>(source);
        var at = pairs.Count == 0 ? -1 : Next(pairs.Count);
        switch (at < 0 ? 7 : Next(11))
        {
            case 0:
                pairs.RemoveAt(at);
                break;
            case 1:
                pairs.Insert(Next(pairs.Count + 1), pairs[at]);
                break;
            case 2:
                pairs.Insert(Next(pairs.Count + 1), new(pairs[at].Key, EncodedEdge()));
                break;
            case 3:
                Shuffle(pairs);
                break;
            case 4:
            case 5:
                pairs[at] = new(pairs[at].Key, IsJwt(pairs[at].Value ?? "") && Chance(0.7) ? MutateJwt(Uri.UnescapeDataString(pairs[at].Value!), signer) : EncodedEdge());
                break;
            case 6:
                pairs[at] = new(pairs[at].Key, pairs[at].Value + EncodedEdge());
                break;
            case 7:
                pairs.Insert(Next(pairs.Count + 1), new(Chance(0.5) ? EncodedEdge() : Pick(KnownNames), EncodedEdge()));
                break;
            case 8:
                pairs[at] = new(Pick(["", pairs[at].Key.ToUpperInvariant(), pairs[at].Key + "%00", "%20" + pairs[at].Key, pairs[at].Key + "%5B%5D", "%ED%A0%80", pairs[at].Key + "%01"]), pairs[at].Value);
                break;
            case 9:
                var value = pairs[at].Value ?? "";
                pairs[at] = new(pairs[at].Key, value[..Next(value.Length + 1)].TrimEnd('%'));
                break;
            default:
                if (Chance(0.5)) pairs[at] = new(pairs[at].Key, null);
                else pairs.Insert(Next(pairs.Count + 1), new(Pick(["", "=", "&", "&&", "%", "=="]), null));
                break;
        }
        return pairs;
    }

    private static readonly string[] KnownNames =
    [
        "client_id", "client_secret", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method",
        "code", "code_verifier", "grant_type", "refresh_token", "token", "token_type_hint", "access_token", "id_token_hint", "prompt", "max_age",
        "login_hint", "acr_values", "resource", "audience", "request", "request_uri", "response_mode", "client_assertion", "client_assertion_type",
        "subject_token", "subject_token_type", "actor_token", "auth_req_id", "binding_message", "post_logout_redirect_uri", "returnUrl",
        "confirm", "decision", "__RequestVerificationToken", "bridge_interaction", "claims", "ui_locales", "id_token", "display",
    ];

    private static bool IsJwt(string encoded) => Uri.UnescapeDataString(encoded).Count(c => c == '.') == 2 && encoded.Length > 20;

    /// <summary>A JWT with a broken or hostile part; with <paramref name="signer"/>, claim changes are signed again half the time.</summary>
    public string MutateJwt(string jwt, Func<string, string, string>? signer)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3) return Uri.EscapeDataString(jwt + ".");
        string header, payload;
        try
        {
            header = Base64UrlEncoder.Decode(parts[0]);
            payload = Base64UrlEncoder.Decode(parts[1]);
        }
        catch (FormatException)
        {
            return Uri.EscapeDataString(jwt);
        }
        string result;
        switch (Next(12))
        {
            case 0:
                result = Seg("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
                break;
            case 1:
                result = Seg(SetMember(header, "alg", Pick(["\"HS256\"", "\"none\"", "\"NONE\"", "\"RS512\"", "\"ES256\"", "\"PS256\"", "\"\"", "null", "1", "[\"RS256\"]"]))) + "." + parts[1] + "." + parts[2];
                break;
            case 2:
                parts[Next(3)] = Pick(["", "!!!", "a", "====", "eyJ", "e30=", "e30", "%%", "+/+/", Seg("[]"), Seg("null"), Seg("\"x\""), Seg("{\"a\":1,\"a\":2}"), new string('A', Huge)]);
                result = string.Join('.', parts);
                break;
            case 3:
                result = parts[0] + "=." + parts[1] + "==." + parts[2] + "=";
                break;
            case 4:
                result = Pick([jwt + ".", jwt + "..x", parts[0] + "." + parts[1], jwt.Replace('-', '+').Replace('_', '/'), " " + jwt, jwt + "\n", jwt.ToUpperInvariant()]);
                break;
            case 5:
                result = Seg(SetMember(header, Pick(["kid", "typ", "jku", "x5u", "crit", "cty", "zip", "enc"]), Pick(JsonEdges))) + "." + parts[1] + "." + parts[2];
                break;
            default:
                var claim = Pick(["sub", "aud", "iss", "exp", "nbf", "iat", "scope", "client_id", "jti", "sid", "account", "network", "usertoken_uuidv4", "app_uuidv4", "xrpl_address", "acr", "amr", "auth_time", "cnf"]);
                var value = Chance(0.15) ? "\"" + new string('x', Huge) + "\"" : Pick(JsonEdges);
                var changed = Chance(0.2) ? payload.TrimEnd('}') + ",\"" + claim + "\":" + value + "}" : SetMember(payload, claim, value);
                if (Chance(0.1)) changed = Pick(["[]", "null", "\"x\"", "{", DeepJson(200)]);
                if (Chance(0.05)) header = SetMember(header, "crit", "[\"exp\"]");
                result = signer is not null && Chance(0.6) ? signer(header, changed) : Seg(header) + "." + Seg(changed) + "." + parts[2];
                break;
        }
        return Uri.EscapeDataString(result);
    }

    private static string Seg(string json) => Base64UrlEncoder.Encode(json);

    /// <summary>A JSON object's member set to raw JSON <paramref name="value"/> (textually, so it also works on broken JSON).</summary>
    private static string SetMember(string objectJson, string name, string value)
    {
        try
        {
            var node = JsonNode.Parse(objectJson) as JsonObject;
            if (node is null) return objectJson;
            node[name] = JsonNode.Parse(value);
            return node.ToJsonString();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            var trimmed = objectJson.TrimEnd().TrimEnd('}');
            return trimmed + (trimmed.EndsWith('{') ? "" : ",") + "\"" + name + "\":" + value + "}";
        }
    }

    public static string DeepJson(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>Marks where a raw JSON value goes, so values no <see cref="JsonNode"/> writes (a lone surrogate, 1e309) can be put in as text.</summary>
    private const string Slot = "\u0001fuzz-slot\u0001";

    private void MutateJson(FuzzRequest r)
    {
        var json = r.Json!;
        // A body an earlier mutation broke (a key twice, a lone surrogate) is only mutated as text.
        JsonNode? root;
        List<(JsonNode Parent, object Key)> members;
        try
        {
            root = JsonNode.Parse(json);
            members = root is null ? [] : Members(root).ToList();
            _ = root?.ToJsonString();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            root = null;
            members = [];
        }
        switch (members.Count == 0 ? 6 + Next(6) : Next(12))
        {
            case 0:
            case 1:
            {
                var (parent, key) = members[Next(members.Count)];
                var value = Chance(0.1) ? "\"" + new string('x', Huge) + "\"" : Chance(0.05) ? DeepJson(Chance(0.5) ? 30 : 1000) : Pick(JsonEdges);
                Set(parent, key, Slot);
                r.Json = WithSlot(root!, value);
                break;
            }
            case 2:
            {
                var (parent, key) = members[Next(members.Count)];
                if (parent is JsonObject o) o.Remove((string)key);
                else ((JsonArray)parent).RemoveAt((int)key);
                r.Json = root!.ToJsonString();
                break;
            }
            case 3:
            {
                var (parent, key) = members[Next(members.Count)];
                if (parent is JsonObject && key is string name)
                {
                    var text = root!.ToJsonString();
                    var member = "\"" + name + "\":";
                    var at = text.IndexOf(member, StringComparison.Ordinal);
                    r.Json = at < 0 ? text : text[..at] + member + Pick(JsonEdges) + "," + text[at..];
                }
                break;
            }
            case 4:
            {
                var (parent, key) = members[Next(members.Count)];
                if (parent is JsonObject o && key is string name)
                {
                    o.Remove(name);
                    o[Pick([name.ToUpperInvariant(), name + " ", "\u0000" + name, name + "\u200B", "$type", "__proto__", "constructor", ""])] = Slot;
                    r.Json = WithSlot(root!, Pick(JsonEdges));
                }
                break;
            }
            case 5:
            {
                var (parent, key) = members[Next(members.Count)];
                if (parent is JsonObject o && key is string name && o[name] is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    var edge = Pick(EdgeValues);
                    o[name] = Chance(0.5) ? edge : s + edge;
                    r.Json = root!.ToJsonString();
                }
                break;
            }
            case 6:
                r.Json = Pick(["", " ", "null", "[]", "1", "\"x\"", "{", "}", "{}", "{\"a\":}", "[1,2", "{'a':1}", "{\"a\":1}//", "{\"a\":1,}", "\u0000", "{}{}", "NaN", DeepJson(100), DeepJson(10_000)]);
                break;
            case 7:
                r.Json = json[..Next(json.Length + 1)];
                break;
            case 8:
                r.RawBody = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(json)];
                break;
            case 9:
                var half = json.Length / 2;
                r.RawBody = [.. Encoding.UTF8.GetBytes(json[..half]), 0xED, 0xA0, 0x80, 0xC3, 0x28, .. Encoding.UTF8.GetBytes(json[half..])];
                break;
            case 10:
                r.RawBody = Chance(0.5) ? Encoding.Unicode.GetBytes(json) : Encoding.Latin1.GetBytes(json.Replace("\"", "\"é", StringComparison.Ordinal));
                break;
            default:
                r.Json = "{\"a\":" + new string('[', 40) + new string(']', 40) + "," + json.TrimStart().TrimStart('{');
                break;
        }
    }

    /// <summary>The JSON text of <paramref name="root"/> with the <see cref="Slot"/> string replaced by the raw JSON <paramref name="value"/>.</summary>
    private static string WithSlot(JsonNode root, string value) =>
        root.ToJsonString().Replace(JsonValue.Create(Slot).ToJsonString(), value, StringComparison.Ordinal);

    private static IEnumerable<(JsonNode Parent, object Key)> Members(JsonNode node)
    {
        if (node is JsonObject o)
            foreach (var (name, child) in o.ToList())
            {
                yield return (o, name);
                if (child is not null) foreach (var m in Members(child)) yield return m;
            }
        else if (node is JsonArray a)
            for (var i = 0; i < a.Count; i++)
            {
                yield return (a, i);
                if (a[i] is { } child) foreach (var m in Members(child)) yield return m;
            }
    }

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o) o[(string)key] = value;
        else ((JsonArray)parent)[(int)key] = value;
    }

    private void MutateBody(FuzzRequest r)
    {
        switch (Next(7))
        {
            case 0:
                r.ContentType = Pick(ContentTypes);
                break;
            case 1:
                r.RawBody = [];
                break;
            case 2:
                r.Streamed = true;
                break;
            case 3:
                var body = r.BodyBytes() ?? [];
                r.RawBody = [0xEF, 0xBB, 0xBF, .. body];
                break;
            case 4:
                r.RawBody = Encoding.UTF8.GetBytes(Pick(["a=" + new string('b', Huge), string.Concat(Enumerable.Repeat("a=b&", 300)), "\0\0\0", "--x--", "=&=&", new string('&', 5000)]));
                r.ContentType ??= "application/x-www-form-urlencoded";
                break;
            case 5:
                r.ContentType = null;
                break;
            default:
                r.Headers.Add(new("Content-Encoding", Pick(["gzip", "br", "identity, gzip", "x"])));
                break;
        }
    }

    private void MutateHeaders(FuzzRequest r)
    {
        var existing = r.Headers.FindIndex(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
        switch (Next(10))
        {
            case 0:
            case 1:
            case 2:
                var auth = BadAuthorization(existing >= 0 ? r.Headers[existing].Value : null, r.JwtSigner);
                if (existing >= 0) r.Headers[existing] = new("Authorization", auth);
                else r.Headers.Add(new("Authorization", auth));
                if (Chance(0.1)) r.Headers.Add(new("Authorization", auth));
                break;
            case 3:
                r.Headers.Add(new("Accept-Language", Pick(["*", "", ";q=", "xx-YYYY-zzzzzzzzz", "en;q=2", "ü", new string(',', 1000), "en-US;q=0.5, de;q=abc", "\u0000"])));
                break;
            case 4:
                r.Headers.Add(new("Host", Pick(["", "evil.example", "localhost:99999", "[::1", "localhost:-1", "a b", "ünïcode.example", "localhost\u0000"])));
                break;
            case 5:
                r.Headers.Add(new("Cookie", Pick(["=", ";;;", "a", "__bridge_af=%%%", ".AspNetCore.Session=x", "__Host-bridge=" + new string('A', 4000), "x=\"unterminated", "__bridge_session=%ED%A0%80", "a=b; a=c", "\u0000=\u0000"])));
                break;
            case 6:
                r.Headers.Add(new(Pick(["If-Match", "If-None-Match"]), Pick(["", "*", "\"", "W/", "\"a\", *", "garbage", "W/\"x\"", "\"" + new string('x', 5000) + "\"", ",,,", "\"a\"\"b\""])));
                break;
            case 7:
                // A request that carries a DPoP proof gets it broken half the time (re-signed with the request's signer).
                var proof = r.Headers.FindIndex(h => h.Key.Equals("DPoP", StringComparison.OrdinalIgnoreCase));
                if (proof >= 0 && Chance(0.5))
                {
                    r.Headers[proof] = new("DPoP", Uri.UnescapeDataString(MutateJwt(r.Headers[proof].Value, r.JwtSigner)));
                    break;
                }
                r.Headers.Add(new(Pick(["DPoP", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Origin", "Referer", "Sec-Fetch-Site"]),
                    Pick(["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "", "::::", "999.1.1.1", "javascript:", "null", "cross-site", "https://evil.example", new string('x', 8000)])));
                break;
            case 8:
                r.Headers.Add(new("Accept", Pick(["text/html", "*/*", "", "application/json;q=x", "text/*, text/html;level=1", "\u0000"])));
                break;
            default:
                if (existing >= 0) r.Headers.RemoveAt(existing);
                else r.Headers.Add(new("Content-Type", Pick(ContentTypes)));
                break;
        }
    }

    private string BadAuthorization(string? current, Func<string, string, string>? signer)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var scheme = current is not null && current.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase) ? "DPoP " : "Bearer ";
        var token = current is not null && current.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? current[scheme.Length..] : null;
        // A DPoP-bound token sometimes goes out as a bearer token, which must be refused.
        if (token is not null && Chance(0.5)) return (scheme == "DPoP " && Chance(0.3) ? "Bearer " : scheme) + Uri.UnescapeDataString(MutateJwt(token, signer));
        return Pick(
        [
            "Basic", "Basic ", "Basic !!!!", "Basic " + B64("nocolon"), "Basic " + B64(":"), "Basic " + B64("web:"), "Basic " + B64(":web-secret"),
            "Basic " + B64("web%00:web-secret"), "Basic " + B64("%ED%A0%80:x"), "Basic " + B64("%zz:%zz"), "Basic " + B64("web:web-secret") + "=",
            "Basic " + B64(new string('a', Huge) + ":b"), "Basic " + Convert.ToBase64String([0xFF, 0xFE, 0x3A, 0xC3, 0x28]), "Basic  " + B64("web:web-secret"),
            "basic " + B64("web:web-secret"), "Basic " + B64("web:web-secret") + " extra", "Basic " + B64("web:a:b:c"), "Basic " + B64("\u0000:\u0000"),
            "Bearer", "Bearer ", "Bearer  a.b.c", "Bearer a b c", "Bearer " + new string('A', Huge), "Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer ...",
            "bearer x", "BEARER x", "DPoP eyJhbGciOiJub25lIn0.e30.", "Negotiate abc", "Digest username=\"a\"", "", " ", ",", "Bearer \u0000",
            current is null ? "Bearer x" : current + ", " + current, current is null ? "Basic x" : current + "\u0000",
        ]);
    }

    /// <summary>
    /// A NUL in the path never reaches the application: Kestrel refuses the request line (400) and TestServer throws
    /// while building the request, so route values get every edge but that one.
    /// </summary>
    private static readonly string[] PathEdges = EdgeValues.Where(v => v.Length > 0 && !v.Contains('/') && !v.Contains('\0')).ToArray();

    private void MutateRouteValue(FuzzRequest r)
    {
        var segments = r.Path.Split('/');
        var index = r.RouteSegments[Next(r.RouteSegments.Count)];
        if (index >= segments.Length) return;
        segments[index] = Chance(0.3) ? Pick(RawEncodedValues) : Chance(0.1) ? new string('a', 5000) : Chance(0.3)
            ? segments[index] + Pick(["%2F..", ".", "%20", "~", "%C3%28", "%2e%2e", "%C0%80"])
            : Uri.EscapeDataString(Pick(PathEdges));
        r.Path = string.Join('/', segments);
    }

    private void MutateMethod(FuzzRequest r) =>
        r.Method = Pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]);

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}

/// <summary>
/// What every answer to a fuzzed request must be: no 5xx, no exception text, a redirect only to this host or to a
/// registered URI. Findings are collected (one per distinct failure) rather than thrown, so one run reports them all.
/// </summary>
public sealed partial class FuzzChecks(IEnumerable<string> registeredUris)
{
    private readonly HashSet<string> _registered = registeredUris.Select(u => u.TrimEnd('/')).ToHashSet(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _findings = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Findings => _findings.Values;

    public int Requests { get; private set; }

    /// <summary>How many answers of each status the fuzzed requests got: how far past the first checks they went.</summary>
    public SortedDictionary<int, int> Statuses { get; } = [];

    public string Summary => $"{Requests} requests; statuses " + string.Join(", ", Statuses.Select(s => $"{s.Key}×{s.Value}"));

    [GeneratedRegex(@"\b[A-Z][A-Za-z]+Exception\b|^\s+at [A-Za-z_.]+\(|StackTrace|\.cs:line \d+", RegexOptions.Multiline)]
    private static partial Regex ExceptionText();

    /// <summary>Sends <paramref name="request"/> and records what is wrong with the answer; the answer.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpClient client, FuzzRequest request, string area)
    {
        request.Finish?.Invoke(request);
        Requests++;
        HttpResponseMessage response;
        try
        {
            using var message = request.ToMessage();
            response = await client.SendAsync(message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // TestServer rethrows what escaped the pipeline: the server did not answer at all.
            Record(area, "no answer: " + ex.GetType().Name, request, ex.ToString());
            return new HttpResponseMessage(HttpStatusCode.InternalServerError);
        }
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        if (status >= 500) Record(area, status.ToString(System.Globalization.CultureInfo.InvariantCulture), request, body);
        if (ExceptionText().Match(body) is { Success: true } m) Record(area, "exception text " + m.Value, request, body);
        if (response.Headers.Location is { } location && !Allowed(location.OriginalString))
            Record(area, "redirect to " + location.OriginalString, request, body);
        return response;
    }

    /// <summary>A local path, or an absolute URI whose address (without query and fragment) is registered.</summary>
    public bool Allowed(string location)
    {
        if (location.StartsWith('/')) return !location.StartsWith("//", StringComparison.Ordinal) && !location.StartsWith("/\\", StringComparison.Ordinal);
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri)) return false;
        var address = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return _registered.Contains(address);
    }

    public void Record(string area, string what, FuzzRequest request, string detail)
    {
        var key = area + " " + what.Split(' ')[0] + " " + request.Method + " " + request.Path.Split('?')[0];
        if (what.StartsWith("redirect", StringComparison.Ordinal)) key += what.Split('?')[0];
        if (_findings.ContainsKey(key)) return;
        var cut = detail.Length > 600 ? detail[..600] + "…" : detail;
        _findings[key] = $"[{area}] {what}\n{request.Describe()}\n→ {cut}";
    }

    public void AssertNone() =>
        Assert.True(_findings.Count == 0, $"{_findings.Count} finding(s) in {Requests} requests:\n\n" + string.Join("\n\n", _findings.Values));
}
