namespace EnterpriseApp.Authentication;

/// <summary>Claim types of the signed-in user as the bridge names them (ID token and userinfo).</summary>
public static class BridgeClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Email = "email";
    public const string SessionId = "sid";
    public const string Wallet = "xrpl_address";
    public const string Wallets = "xrpl_addresses";
    public const string Network = "xrpl_network";
    public const string KycApproved = "kyc_approved";
    public const string Role = "role";
    public const string Roles = "roles";
}
