using System.Diagnostics.CodeAnalysis;

namespace IdentityBridge.Xumm;

/// <summary>Either the identity a valid xApp token carries, or why it was refused.</summary>
public sealed record XAppJwtValidationResult
{
    private XAppJwtValidationResult(XAppIdentity? identity, XAppJwtFailure? failure)
    {
        Identity = identity;
        Failure = failure;
    }

    /// <summary>The verified identity, when <see cref="Succeeded"/>.</summary>
    public XAppIdentity? Identity { get; }

    /// <summary>The reason for refusal, when not <see cref="Succeeded"/>.</summary>
    public XAppJwtFailure? Failure { get; }

    /// <summary>True when the token was accepted.</summary>
    [MemberNotNullWhen(true, nameof(Identity))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Identity is not null;

    /// <summary>An accepted token.</summary>
    public static XAppJwtValidationResult Success(XAppIdentity identity) =>
        new(identity ?? throw new ArgumentNullException(nameof(identity)), null);

    /// <summary>A refused token.</summary>
    public static XAppJwtValidationResult Fail(XAppJwtFailure failure) => new(null, failure);
}
