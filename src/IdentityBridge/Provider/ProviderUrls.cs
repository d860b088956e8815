using IdentityBridge.Configuration;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider;

/// <summary>The provider's endpoint paths and their absolute URLs under the issuer.</summary>
public sealed class ProviderUrls(IOptions<BridgeOptions> options)
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string AuthorizationServerMetadataPath = "/.well-known/oauth-authorization-server";
    public const string JwksPath = "/.well-known/jwks.json";
    public const string AuthorizePath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string PushedAuthorizationPath = "/connect/par";
    public const string UserInfoPath = "/connect/userinfo";
    public const string IntrospectionPath = "/connect/introspect";
    public const string RevocationPath = "/connect/revoke";
    public const string EndSessionPath = "/connect/endsession";
    public const string ConsentPath = "/consent";

    public string Issuer { get; } = options.Value.Issuer.TrimEnd('/');

    public string Authorize => Issuer + AuthorizePath;
    public string Token => Issuer + TokenPath;
    public string PushedAuthorization => Issuer + PushedAuthorizationPath;
    public string UserInfo => Issuer + UserInfoPath;
    public string Introspection => Issuer + IntrospectionPath;
    public string Revocation => Issuer + RevocationPath;
    public string EndSession => Issuer + EndSessionPath;
    public string Jwks => Issuer + JwksPath;
    /// <summary>The admin API's resource identifier: the audience of admin tokens.</summary>
    public string AdminApi => AdminApiResource.Uri(Issuer);
}
