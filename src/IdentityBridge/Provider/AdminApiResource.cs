namespace IdentityBridge.Provider;

/// <summary>
/// The bridge's admin API as a protected resource of its own (RFC 8707, RFC 9068 §4). Its identifier,
/// <c>{issuer}/admin/api</c>, is the <c>aud</c> of every access token that carries the
/// <see cref="Scope"/> scope, and of nothing else: a token issued for another API (its <c>aud</c> that
/// API or the client) never carries admin power, so no API that receives tokens can replay one as admin.
/// A client may name it in <c>resource</c> or leave it out; naming another resource together with the
/// scope is refused.
/// </summary>
public static class AdminApiResource
{
    /// <summary>The scope an access token needs to call the admin API.</summary>
    public const string Scope = "bridge.admin";

    /// <summary>Where the admin API lives under the issuer.</summary>
    public const string Path = "/admin/api";

    /// <summary>The resource identifier (and token audience) of the admin API of the bridge at <paramref name="issuer"/>.</summary>
    public static string Uri(string issuer) => issuer.TrimEnd('/') + Path;
}
