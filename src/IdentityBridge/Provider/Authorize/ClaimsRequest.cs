using System.Text.Json;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Authorize;

/// <summary>
/// The <c>claims</c> parameter of an authorization request (OIDC Core §5.5), as far as this bridge acts on it: the
/// claims asked for the ID token and for userinfo, each one this bridge releases (<see cref="UserClaims.Supported"/>)
/// and of a scope the client is allowed (others are dropped, as §5.5 lets a provider ignore what it does not
/// understand); the <c>sub</c> asked for by <c>value</c> (§5.5.1); and the values of an essential <c>acr</c>
/// (§5.5.1.1). <c>value</c> and <c>values</c> of any other claim filter nothing.
/// </summary>
public sealed record ClaimsRequest(RequestedClaims Names, IReadOnlyList<string>? EssentialAcr, string? Subject)
{
    /// <summary>The longest claims parameter read (in characters): a request that lists every claim twice over fits.</summary>
    public const int MaxLength = 4096;

    /// <summary>Deep enough for a claim's <c>value</c> that is an object; deeper nesting is refused, not walked.</summary>
    private const int MaxDepth = 8;

    private const string IdToken = "id_token";
    private const string UserInfo = "userinfo";

    /// <summary>The scopes of the claims asked for, which the user consents to as to requested scopes.</summary>
    public IReadOnlyList<string> Scopes =>
        (Names.IdToken ?? []).Concat(Names.UserInfo ?? []).Select(c => UserClaims.ScopeOf(c)!).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Reads <paramref name="json"/> for a client allowed <paramref name="allowedScopes"/>. Null with the
    /// error_description (for invalid_request) when it is not a JSON object of the §5.5 shape.
    /// </summary>
    public static (ClaimsRequest? Request, string? Problem) Parse(string json, IReadOnlySet<string> allowedScopes)
    {
        if (json.Length > MaxLength) return Problem("is too long");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return Problem("is not a JSON object");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Problem("is not a JSON object");
            var targets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            IReadOnlyList<string>? essentialAcr = null;
            string? subject = null;
            // Members other than the two targets are ignored: they are no request this bridge understands.
            foreach (var target in root.EnumerateObject().Where(t => t.Name is IdToken or UserInfo))
            {
                if (target.Value.ValueKind != JsonValueKind.Object) return Problem($"member {target.Name} must be an object");
                var names = targets[target.Name] = [];
                foreach (var claim in target.Value.EnumerateObject())
                {
                    var request = claim.Value;
                    if (request.ValueKind == JsonValueKind.Null)
                    {
                        if (Releasable(claim.Name, allowedScopes)) names.Add(claim.Name);
                        continue;
                    }
                    if (request.ValueKind != JsonValueKind.Object) return Problem($"claim {ErrorDescription(claim.Name)} must be null or an object");
                    var essential = false;
                    if (request.TryGetProperty("essential", out var e))
                    {
                        if (e.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return Problem($"essential of {ErrorDescription(claim.Name)} must be true or false");
                        essential = e.GetBoolean();
                    }
                    var hasValues = request.TryGetProperty("values", out var values);
                    if (hasValues && values.ValueKind != JsonValueKind.Array) return Problem($"values of {ErrorDescription(claim.Name)} must be an array");
                    var hasValue = request.TryGetProperty("value", out var value);
                    switch (claim.Name)
                    {
                        case "sub" when hasValue:
                            if (value.ValueKind != JsonValueKind.String) return Problem("value of sub must be a string");
                            if (subject is not null && subject != value.GetString()) return Problem("asks for two different sub values");
                            subject = value.GetString();
                            break;
                        case "acr" when hasValue || hasValues:
                            var acrs = hasValue ? [value] : values.EnumerateArray().ToList();
                            if (acrs.Any(a => a.ValueKind != JsonValueKind.String)) return Problem("value and values of acr must be strings");
                            if (essential && target.Name == IdToken) essentialAcr = acrs.Select(a => a.GetString()!).ToList();
                            break;
                        default:
                            if (Releasable(claim.Name, allowedScopes)) names.Add(claim.Name);
                            break;
                    }
                }
            }
            var stored = new RequestedClaims(Listed(targets, IdToken), Listed(targets, UserInfo));
            return (new ClaimsRequest(stored, essentialAcr, subject), null);
        }
    }

    private static bool Releasable(string claim, IReadOnlySet<string> allowedScopes) =>
        UserClaims.ScopeOf(claim) is { } scope && allowedScopes.Contains(scope);

    private static List<string>? Listed(Dictionary<string, List<string>> targets, string target) =>
        targets.TryGetValue(target, out var names) && names.Count > 0 ? names.Distinct(StringComparer.Ordinal).ToList() : null;

    private static string ErrorDescription(string name) => Protocol.ErrorDescription.Echo(name);

    private static (ClaimsRequest?, string?) Problem(string what) => (null, $"The claims parameter {what} (OIDC Core §5.5).");
}
