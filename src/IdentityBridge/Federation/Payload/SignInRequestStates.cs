namespace IdentityBridge.Federation.Payload;

/// <summary>Values of <c>signin_requests.kind</c>.</summary>
public static class SignInKinds
{
    public const string Qr = "qr";
    public const string Push = "push";
    public const string Ciba = "ciba";
}

/// <summary>
/// Values of <c>signin_requests.status</c>. A request starts <see cref="Pending"/> and moves once, when the
/// payload resolves, to <see cref="Signed"/> (confirmed by GET /payload) or an end state; a signed request
/// becomes <see cref="Completed"/> when it was used (session started, tokens issued), so it is used once.
/// </summary>
public static class SignInStatuses
{
    public const string Pending = "pending";
    public const string Signed = "signed";
    public const string Rejected = "rejected";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    public const string Completed = "completed";

    public static bool IsEnd(string status) => status is Rejected or Expired or Cancelled or Failed or Completed;
}

/// <summary>Sign-in methods recorded on sessions and in the <c>amr</c> of tokens.</summary>
public static class PayloadSignInMethods
{
    /// <summary>A SignIn payload opened by QR code or deep link.</summary>
    public const string Payload = "xumm-payload";

    /// <summary>A SignIn payload delivered by push to a returning user.</summary>
    public const string Push = "xumm-push";

    /// <summary>An xApp opened inside the wallet app.</summary>
    public const string XApp = "xapp";

    /// <summary>Client-initiated backchannel authentication (a push the user approves).</summary>
    public const string Ciba = "ciba";
}

/// <summary>Audit event types of this module (next to the bridge-wide ones in <c>AuditTypes</c>).</summary>
public static class SignInAuditTypes
{
    public const string WebhookRefused = "xumm.webhook_refused";
    public const string UserTokenDropped = "xumm.user_token_dropped";
    public const string PayloadRefused = "xumm.payload_refused";
    public const string RegularKeySignature = "xumm.regular_key_signature";
    public const string CibaRequested = "ciba.requested";
    public const string CibaNotified = "ciba.notified";
}
