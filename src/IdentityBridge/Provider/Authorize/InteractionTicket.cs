using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IdentityBridge.Provider.Protocol;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Extensions;

namespace IdentityBridge.Provider.Authorize;

/// <summary>
/// Progress of one authorization request through login and consent, carried in the resumed authorize
/// URL as the data-protected <see cref="InteractionTickets.Parameter"/>: the login started at
/// <see cref="LoginAfter"/> (a session authenticated since then satisfies prompt=login, max_age and
/// select_account), and the consent the user just gave on the consent page. Without it, prompt=login or
/// prompt=consent would send the user round in circles; being protected, it cannot be forged.
/// It holds for the one request it was issued for (<see cref="Request"/>, a hash of every other parameter)
/// and its login part only in the browser that started that login (<see cref="Binding"/> names a cookie
/// whose value hashes to <see cref="BindingHash"/>), so a copied ticket skips nothing.
/// </summary>
public sealed record InteractionTicket(
    [property: JsonPropertyName("l")] long? LoginAfter,
    [property: JsonPropertyName("ca")] string? ConsentAccount,
    [property: JsonPropertyName("cc")] string? ConsentClient,
    [property: JsonPropertyName("cs")] string? ConsentScopes,
    [property: JsonPropertyName("ct")] long? ConsentAt,
    [property: JsonPropertyName("i")] long IssuedAt,
    [property: JsonPropertyName("r")] string? Request = null,
    [property: JsonPropertyName("b")] string? Binding = null,
    [property: JsonPropertyName("bh")] string? BindingHash = null);

/// <summary>
/// That the parameters of a request were those of a signed request object the bridge verified (RFC 9101), carried in
/// the resumed authorize URL as the data-protected <see cref="InteractionTickets.SignedRequestParameter"/>: the
/// request resumes with the object's parameters, not the object, and a client that requires signed request objects
/// (RFC 9101 §10.5) would otherwise see it refused. It holds for the one request it was issued for
/// (<see cref="Request"/>) through a login and the consent after it.
/// </summary>
internal sealed record SignedRequestProof(
    [property: JsonPropertyName("r")] string Request,
    [property: JsonPropertyName("i")] long IssuedAt);

public sealed class InteractionTickets(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string Parameter = "bridge_interaction";
    /// <summary>
    /// The parameter that says a request came as a signed request object: the data-protected
    /// <see cref="SignedRequestProof"/> in a resumed URL, and a mark the PAR endpoint stores with what a request object
    /// pushed. Its ':' is not a character of an OAuth parameter name (RFC 6749 Appendix A.1), so it names no other.
    /// </summary>
    public const string SignedRequestParameter = "bridge:request_object";
    /// <summary>Prefix of the cookie that binds a login to the browser that started it (one per pending login).</summary>
    public const string CookiePrefix = "__bridge_login_";
    /// <summary>Long enough for an upstream sign-in and the consent page; a longer-lived ticket only widens replay.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const int MaxPendingLogins = 5;
    private readonly IDataProtector _protector = dataProtection.CreateProtector("IdentityBridge.AuthorizeInteraction.v2");
    private readonly IDataProtector _signedProtector = dataProtection.CreateProtector("IdentityBridge.SignedRequestObject.v1");

    /// <summary>
    /// Starts a login for the request of <paramref name="parameters"/>: sets a fresh binding cookie in this
    /// browser and returns the ticket to carry in the resumed authorize URL.
    /// </summary>
    public string StartLogin(HttpContext context, OAuthParameters parameters)
    {
        // Logins left pending (other tabs, abandoned) keep a cookie each until it expires; past a few,
        // they are dropped so that the Cookie header stays small.
        var pending = context.Request.Cookies.Keys.Where(k => k.StartsWith(CookiePrefix, StringComparison.Ordinal)).ToList();
        if (pending.Count >= MaxPendingLogins)
            foreach (var name in pending) context.Response.Cookies.Delete(name, CookieOptions(context, null));
        var now = time.GetUtcNow();
        var binding = UrlSafe.NewId(12);
        var secret = UrlSafe.NewId(32);
        // The cookie outlives the ticket by the consent step, which carries the login part over.
        context.Response.Cookies.Append(CookiePrefix + binding, secret, CookieOptions(context, now + Lifetime + AuthorizeInteraction.ConsentTicketLifetime));
        var at = now.ToUnixTimeMilliseconds();
        return Protect(new InteractionTicket(at, null, null, null, null, at, RequestHash(parameters), binding, Hash(secret)));
    }

    /// <summary>
    /// The ticket after the user consented to the request of <paramref name="parameters"/>. The login part of
    /// the request's ticket carries over as it is: the binding cookie is not sent to the consent page, and the
    /// authorize endpoint checks it when the request comes back.
    /// </summary>
    public string AfterConsent(OAuthParameters parameters, string accountId, string clientId, string scopes)
    {
        var current = Unprotect(parameters[Parameter]) is { Request: { } hash } ticket && FixedTimeEquals(hash, RequestHash(parameters)) ? ticket : null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return Protect(new InteractionTicket(current?.LoginAfter, accountId, clientId, scopes, now, now,
            RequestHash(parameters), current?.Binding, current?.BindingHash));
    }

    /// <summary>
    /// The ticket of an authorization request, or null when absent, forged, expired or issued for another
    /// request. Its login part is dropped unless this browser still holds the cookie of that login.
    /// </summary>
    public InteractionTicket? Read(HttpContext context, OAuthParameters parameters)
    {
        var ticket = Unprotect(parameters[Parameter]);
        if (ticket is null || ticket.Request is null || !FixedTimeEquals(ticket.Request, RequestHash(parameters))) return null;
        if (ticket.LoginAfter is not null && !HoldsBinding(context, ticket))
            ticket = ticket with { LoginAfter = null, Binding = null, BindingHash = null };
        return ticket;
    }

    /// <summary>
    /// Ends the login of a request that was answered (code or error): its binding cookie is deleted, so the
    /// same ticket cannot count as a fresh login a second time.
    /// </summary>
    public static void Complete(HttpContext context, InteractionTicket? ticket)
    {
        if (ticket?.Binding is { } binding)
            context.Response.Cookies.Delete(CookiePrefix + binding, CookieOptions(context, null));
    }

    /// <summary>
    /// The parameters of a verified request object with the <see cref="SignedRequestParameter"/> that vouches for them,
    /// in place of any the object had, to resume the request with.
    /// </summary>
    public OAuthParameters WithSignedProof(OAuthParameters parameters)
    {
        var query = new QueryBuilder();
        foreach (var (key, value) in parameters.Values)
            if (key != SignedRequestParameter) query.Add(key, value);
        var proof = new SignedRequestProof(RequestHash(parameters), time.GetUtcNow().ToUnixTimeMilliseconds());
        query.Add(SignedRequestParameter, _signedProtector.Protect(JsonSerializer.Serialize(proof)));
        return OAuthParameters.FromQuery(query.ToQueryString().Value);
    }

    /// <summary>
    /// Whether the <see cref="SignedRequestParameter"/> of <paramref name="parameters"/> is a proof issued for exactly
    /// their other parameters, within a login and a consent; one sent from outside never is.
    /// </summary>
    public bool VouchesSigned(OAuthParameters parameters)
    {
        if (parameters[SignedRequestParameter] is not { Length: > 0 and <= 4096 } value) return false;
        try
        {
            var proof = JsonSerializer.Deserialize<SignedRequestProof>(_signedProtector.Unprotect(value));
            if (proof?.Request is null || !FixedTimeEquals(proof.Request, RequestHash(parameters))) return false;
            var now = time.GetUtcNow();
            var issued = DateTimeOffset.FromUnixTimeMilliseconds(proof.IssuedAt);
            return issued <= now + TimeSpan.FromMinutes(1) && now - issued <= Lifetime + AuthorizeInteraction.ConsentTicketLifetime;
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private string Protect(InteractionTicket ticket) => _protector.Protect(JsonSerializer.Serialize(ticket));

    private InteractionTicket? Unprotect(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 4096) return null;
        try
        {
            var ticket = JsonSerializer.Deserialize<InteractionTicket>(_protector.Unprotect(value));
            if (ticket is null) return null;
            var now = time.GetUtcNow();
            var issued = DateTimeOffset.FromUnixTimeMilliseconds(ticket.IssuedAt);
            return issued <= now + TimeSpan.FromMinutes(1) && now - issued <= Lifetime ? ticket : null;
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static bool HoldsBinding(HttpContext context, InteractionTicket ticket) =>
        ticket.Binding is { } binding && ticket.BindingHash is { } expected
        && context.Request.Cookies[CookiePrefix + binding] is { Length: > 0 and <= 256 } secret
        && FixedTimeEquals(expected, Hash(secret));

    /// <summary>
    /// A hash of every parameter but the ticket and the proof of a signed request, in a canonical order: the request a
    /// ticket or a proof belongs to.
    /// </summary>
    private static string RequestHash(OAuthParameters parameters)
    {
        var canonical = new StringBuilder();
        foreach (var (key, value) in parameters.Values.Where(p => p.Key is not (Parameter or SignedRequestParameter)).OrderBy(p => p.Key, StringComparer.Ordinal))
            canonical.Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        return Hash(canonical.ToString());
    }

    private static string Hash(string value) => UrlSafe.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = context.Request.PathBase + ProviderUrls.AuthorizePath,
        IsEssential = true,
        Expires = expires,
    };
}
