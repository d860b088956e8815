using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Tokens;

/// <summary>The token endpoint's success body (RFC 6749 §5.1, OIDC Core §3.1.3.3).</summary>
public sealed class TokenResponse
{
    public required string AccessToken { get; init; }
    public string TokenType { get; init; } = "Bearer";
    public required int ExpiresIn { get; init; }
    public string? IdToken { get; init; }
    public string? RefreshToken { get; init; }
    public required string Scope { get; init; }
    /// <summary>Further members (e.g. issued_token_type for token exchange).</summary>
    public IReadOnlyDictionary<string, object>? Extra { get; init; }

    /// <summary>The JWT id of the access token (for audit; not part of the body).</summary>
    public string? AccessTokenId { get; init; }

    public Dictionary<string, object> ToJson()
    {
        var body = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["access_token"] = AccessToken,
            ["token_type"] = TokenType,
            ["expires_in"] = ExpiresIn,
        };
        if (IdToken is not null) body["id_token"] = IdToken;
        if (RefreshToken is not null) body["refresh_token"] = RefreshToken;
        body["scope"] = Scope;
        if (Extra is not null)
            foreach (var (key, value) in Extra) body[key] = value;
        return body;
    }
}

/// <summary>What a grant handler produces: a token response or a protocol error.</summary>
public sealed class TokenResult
{
    private TokenResult(TokenResponse? response, ProtocolError? error)
    {
        Response = response;
        Error = error;
    }

    public TokenResponse? Response { get; }
    public ProtocolError? Error { get; }
    public bool Succeeded => Response is not null;

    /// <summary>The refresh token to rotate was already consumed (by a concurrent request, or earlier).</summary>
    public bool RotationLost { get; private init; }

    public static TokenResult Success(TokenResponse response) => new(response, null);
    public static TokenResult Failure(ProtocolError error) => new(null, error);
    public static TokenResult LostRotation() => new(null, ProtocolError.InvalidGrant("The refresh token was already used.")) { RotationLost = true };
    public static TokenResult Failure(string error, string description, int statusCode = StatusCodes.Status400BadRequest) =>
        new(null, new ProtocolError(error, description, statusCode));
}
