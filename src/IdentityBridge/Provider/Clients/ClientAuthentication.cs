using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Clients;

/// <summary>The outcome of client authentication at the token, introspection or revocation endpoint.</summary>
public sealed record ClientAuthentication(RegisteredClient? Client, string? Method, ProtocolError? Error)
{
    public bool Succeeded => Client is not null && Error is null;

    /// <summary>On failure, the client id the caller presented (unverified), when it named one: for the audit trail.</summary>
    public string? ClientIdTried { get; init; }

    /// <summary>
    /// On failure, why, in detail (an unknown client, the wrong method...), for the audit trail and the log only:
    /// the error's description may be deliberately general. Null when the description says it all.
    /// </summary>
    public string? Reason { get; init; }

    public static ClientAuthentication Fail(ProtocolError error) => new(null, null, error);
}

/// <summary>Token endpoint authentication methods.</summary>
public static class ClientAuthMethods
{
    public const string SecretBasic = "client_secret_basic";
    public const string SecretPost = "client_secret_post";
    public const string PrivateKeyJwt = "private_key_jwt";
    public const string None = "none";

    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public static readonly IReadOnlyList<string> All = [SecretBasic, SecretPost, PrivateKeyJwt, None];
    public static readonly IReadOnlyList<string> AssertionAlgorithms = ["RS256", "ES256", "PS256"];
}
