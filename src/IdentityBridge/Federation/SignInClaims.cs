namespace IdentityBridge.Federation;

/// <summary>
/// Claims the bridge adds to the upstream principal while checking it, read back when the login completes.
/// The principal never leaves the request: it is not written to any cookie.
/// </summary>
internal static class SignInClaims
{
    public const string Subject = "sub";
    public const string Network = "bridge.network";
    public const string KycApproved = "bridge.kyc_approved";
    public const string Name = "bridge.name";
    public const string Picture = "bridge.picture";
}
