using IdentityBridge.Xumm;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// The two cookies of the bridge-hosted sign-in, both data-protected, HttpOnly, SameSite=Lax (Xumm's return
/// URL is a top-level navigation from another site), Secure on https, and scoped to <c>/signin</c>:
/// <list type="bullet">
/// <item><c>__bridge_signin</c> binds sign-in requests to the browser that started them: a status page, its
/// status JSON and its completion answer only there, so a link or a QR code seen by someone else completes nothing.</item>
/// <item><c>__bridge_wallet</c> remembers the wallet of the last successful sign-in in this browser, so the next one
/// can be a push: the only way a browser gets a push (a login hint never does).</item>
/// </list>
/// </summary>
public sealed class SignInCookies(IDataProtectionProvider dataProtection, IOptions<PayloadSignInOptions> options, TimeProvider time)
{
    public const string BindingCookie = "__bridge_signin";
    public const string WalletCookie = "__bridge_wallet";
    public const string CookiePath = "/signin";
    private const int MaxBoundRequests = 5;

    /// <summary>
    /// How long after a request's expiry the browser may still come back to it (a signature made just before the
    /// deadline still completes). The protected cookie value carries no expiry of its own, so the bridge holds
    /// completions to the same bound.
    /// </summary>
    public static readonly TimeSpan BindingGrace = TimeSpan.FromMinutes(5);

    private readonly IDataProtector _binding = dataProtection.CreateProtector("IdentityBridge.SignInBinding.v1");
    private readonly IDataProtector _wallet = dataProtection.CreateProtector("IdentityBridge.RememberedWallet.v2");

    public bool IsBound(HttpContext context, string requestId) => BoundIds(context).Contains(requestId, StringComparer.Ordinal);

    /// <summary>The requests bound to this browser, newest first.</summary>
    public IReadOnlyList<string> BoundIds(HttpContext context)
    {
        var raw = context.Request.Cookies[BindingCookie];
        if (string.IsNullOrEmpty(raw) || raw.Length > 4096) return [];
        try
        {
            return _binding.Unprotect(raw).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return [];
        }
    }

    public void Bind(HttpContext context, string requestId, DateTimeOffset expiresAt)
    {
        var ids = new[] { requestId }.Concat(BoundIds(context).Where(id => id != requestId)).Take(MaxBoundRequests);
        context.Response.Cookies.Append(BindingCookie, _binding.Protect(string.Join(' ', ids)), Options(context, expiresAt + BindingGrace));
    }

    public void Unbind(HttpContext context, string requestId)
    {
        var ids = BoundIds(context).Where(id => id != requestId).ToList();
        if (ids.Count == 0) context.Response.Cookies.Delete(BindingCookie, Options(context, null));
        else context.Response.Cookies.Append(BindingCookie, _binding.Protect(string.Join(' ', ids)), Options(context, time.GetUtcNow() + options.Value.PayloadExpiry + BindingGrace));
    }

    /// <summary>
    /// The remembered wallet, when there is a valid one. The protected value carries its own expiry, so a copied
    /// cookie value stops working when the cookie would have expired, whatever the browser does with it.
    /// </summary>
    public string? RememberedWallet(HttpContext context)
    {
        var raw = context.Request.Cookies[WalletCookie];
        if (string.IsNullOrEmpty(raw) || raw.Length > 1024) return null;
        string value;
        try
        {
            value = _wallet.Unprotect(raw);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = value.Split(' ');
        if (parts.Length != 2 || !XrplAddress.IsValid(parts[0])) return null;
        if (!long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var expires)
            || DateTimeOffset.FromUnixTimeSeconds(Math.Min(expires, 253_402_300_799)) <= time.GetUtcNow())
            return null;
        return parts[0];
    }

    /// <summary>Remembers the wallet this browser just signed in with, so the next sign-in here may be a push to it.</summary>
    public void RememberWallet(HttpContext context, string wallet)
    {
        var lifetime = options.Value.RememberWallet;
        if (lifetime <= TimeSpan.Zero) return;
        var expires = time.GetUtcNow() + lifetime;
        var value = wallet + " " + expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Cookies.Append(WalletCookie, _wallet.Protect(value), Options(context, expires));
    }

    public void ForgetWallet(HttpContext context) => context.Response.Cookies.Delete(WalletCookie, Options(context, null));

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = CookiePath,
        IsEssential = true,
        Expires = expires,
    };
}
