namespace IdentityBridge.RelyingParty;

/// <summary>How the client authenticates itself at the token endpoint when it has a secret.</summary>
public enum OidcClientAuthenticationMethod
{
    /// <summary><c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    ClientSecretPost,

    /// <summary>HTTP Basic with the form-encoded <c>client_id</c> and <c>client_secret</c> (RFC 6749 §2.3.1).</summary>
    ClientSecretBasic,
}
