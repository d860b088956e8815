namespace IdentityBridge.Provider.Grants;

/// <summary>grant_type values.</summary>
public static class GrantTypeNames
{
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";
    public const string ClientCredentials = "client_credentials";
    public const string Ciba = "urn:openid:params:grant-type:ciba";
    public const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
}
