namespace IdentityBridge.Xumm;

/// <summary>Why an xApp token was refused.</summary>
public enum XAppJwtFailure
{
    /// <summary>Not a compact JWS, or a claim has the wrong type.</summary>
    Malformed,

    /// <summary>The header names an algorithm other than HS256 (including <c>none</c>).</summary>
    AlgorithmNotAllowed,

    /// <summary>Not signed with the configured API secret.</summary>
    InvalidSignature,

    /// <summary>A required claim (<c>exp</c>, <c>iat</c>, <c>client_id</c>, <c>sub</c>) is absent.</summary>
    MissingClaim,

    /// <summary>Past <c>exp</c>, beyond the allowed clock skew.</summary>
    Expired,

    /// <summary><c>iat</c> or <c>nbf</c> lies in the future, beyond the allowed clock skew.</summary>
    NotYetValid,

    /// <summary><c>client_id</c> is not the configured API key.</summary>
    WrongClient,

    /// <summary><c>sub</c> is not a valid r-address, or <c>account</c> names another one.</summary>
    InvalidSubject,
}
