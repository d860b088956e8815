namespace IdentityBridge.Provider.Protocol;

/// <summary>
/// An OAuth / OpenID Connect protocol error: the standard code, a description and the HTTP status. The
/// description is kept to the characters RFC 6749 allows in <c>error_description</c> (<see cref="ErrorDescription"/>),
/// so a message may quote request values without breaking the responses built from it.
/// </summary>
public sealed record ProtocolError(string Error, string? Description = null, int StatusCode = StatusCodes.Status400BadRequest)
{
    private readonly string? _description = ErrorDescription.Clean(Description);

    public string? Description
    {
        get => _description;
        init => _description = ErrorDescription.Clean(value);
    }

    public static ProtocolError InvalidRequest(string description) => new(ProtocolErrors.InvalidRequest, description);
    /// <summary>
    /// invalid_client for a client that used HTTP authentication (Basic) or presented no credentials at all: 401,
    /// which carries the Basic challenge (RFC 6749 §5.2, RFC 9110 §15.5.2).
    /// </summary>
    public static ProtocolError InvalidClient(string description) => new(ProtocolErrors.InvalidClient, description, StatusCodes.Status401Unauthorized);

    /// <summary>
    /// invalid_client for credentials presented in the request body (client_secret_post, private_key_jwt): 400,
    /// RFC 6749 §5.2's status for errors. A 401 must carry a challenge (RFC 9110 §15.5.2), and the only HTTP
    /// scheme the endpoints take, Basic, is not what such a client uses: clients read a challenge as a request to
    /// authenticate with it.
    /// </summary>
    public static ProtocolError InvalidClientInBody(string description) => new(ProtocolErrors.InvalidClient, description);
    public static ProtocolError InvalidGrant(string description) => new(ProtocolErrors.InvalidGrant, description);
    public static ProtocolError InvalidScope(string description) => new(ProtocolErrors.InvalidScope, description);
    public static ProtocolError UnauthorizedClient(string description) => new(ProtocolErrors.UnauthorizedClient, description);
}

/// <summary>Error codes of RFC 6749, OIDC Core, RFC 6750, RFC 8707, RFC 9101, RFC 9126 and RFC 9449.</summary>
public static class ProtocolErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTarget = "invalid_target";
    public const string AccessDenied = "access_denied";
    public const string ServerError = "server_error";
    public const string LoginRequired = "login_required";
    public const string ConsentRequired = "consent_required";
    public const string InteractionRequired = "interaction_required";
    public const string RequestNotSupported = "request_not_supported";
    /// <summary>RFC 9101 §6.3 (OIDC Core §3.1.2.6): the request object is not valid.</summary>
    public const string InvalidRequestObject = "invalid_request_object";
    public const string RequestUriNotSupported = "request_uri_not_supported";
    /// <summary>RFC 9126 §4 (OIDC Core §3.1.2.6): the request_uri does not name a usable pushed request.</summary>
    public const string InvalidRequestUri = "invalid_request_uri";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    /// <summary>RFC 9449 §5 and §7.1: the DPoP proof is missing where required, or invalid.</summary>
    public const string InvalidDPoPProof = "invalid_dpop_proof";
    /// <summary>RFC 9449 §8 and §9: the DPoP proof must carry a nonce the server issued (given in the DPoP-Nonce header).</summary>
    public const string UseDPoPNonce = "use_dpop_nonce";
}
