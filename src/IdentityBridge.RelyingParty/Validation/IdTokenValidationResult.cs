using System.Diagnostics.CodeAnalysis;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.RelyingParty.Validation;

/// <summary>A validated ID token, or why it was refused.</summary>
internal sealed record IdTokenValidationResult(JsonWebToken? Token, OidcClientFailureException? Failure)
{
    [MemberNotNullWhen(true, nameof(Token))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static IdTokenValidationResult Fail(string error, string description, Exception? inner = null) =>
        new(null, new OidcClientFailureException(error, description, innerException: inner));
}
