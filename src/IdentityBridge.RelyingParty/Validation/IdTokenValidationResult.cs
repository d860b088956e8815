using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.RelyingParty.Validation;

/// <summary>A validated ID token with all its claims, or why it was refused.</summary>
internal sealed record IdTokenValidationResult(JsonWebToken? Token, ClaimsIdentity? Identity, OidcClientFailureException? Failure)
{
    [MemberNotNullWhen(true, nameof(Token), nameof(Identity))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static IdTokenValidationResult Fail(string error, string description, Exception? inner = null) =>
        new(null, null, new OidcClientFailureException(error, description, innerException: inner));
}
