namespace IdentityBridge.Configuration;

/// <summary>The <c>Bridge</c> configuration section.</summary>
public sealed class BridgeOptions
{
    public const string Section = "Bridge";

    /// <summary>The issuer: absolute https URL (http only for localhost). Every endpoint lives under it.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Folder for the embedded database and local files. Relative to the content root.</summary>
    public string DataPath { get; set; } = "App_Data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Deployment default: AutoCreate (first sign-in creates the account) or AllowList.</summary>
    public ProvisioningMode Provisioning { get; set; } = ProvisioningMode.AutoCreate;

    /// <summary>Deployment default upstream sign-in: xumm-oidc or xumm-payload.</summary>
    public string SignInMethod { get; set; } = SignInMethods.XummOidc;

    /// <summary>Clients declared as code, imported (upserted) at startup.</summary>
    public List<ClientDefinition> Clients { get; set; } = [];

    public ClientAuthenticationOptions ClientAuthentication { get; set; } = new();
    public PushedAuthorizationOptions PushedAuthorization { get; set; } = new();
    public DPoPOptions DPoP { get; set; } = new();
    public AdminOptions Admin { get; set; } = new();
    public KeyOptions Keys { get; set; } = new();
    public KeyRingOptions KeyRing { get; set; } = new();
    public SessionOptions Session { get; set; } = new();
    public NotificationOptions Notifications { get; set; } = new();
    public RateLimitOptions RateLimits { get; set; } = new();
    public AuditOptions Audit { get; set; } = new();
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>
    /// Drops blank list entries and blank optional client settings: an unset environment variable substituted
    /// as "" (docker compose's <c>${VAR:-}</c>) binds as an empty entry or value, which means "nothing" rather
    /// than "an empty value".
    /// </summary>
    internal void RemoveBlankEntries()
    {
        Admin.BootstrapWallets.RemoveAll(string.IsNullOrWhiteSpace);
        ForwardedHeaders.KnownProxies.RemoveAll(string.IsNullOrWhiteSpace);
        ForwardedHeaders.KnownNetworks.RemoveAll(string.IsNullOrWhiteSpace);
        KeyRing.PreviousCertificatePaths.RemoveAll(string.IsNullOrWhiteSpace);
        foreach (var client in Clients) client.RemoveBlankSettings();
    }
}

/// <summary>
/// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (<c>Bridge:ForwardedHeaders</c>).
/// Loopback is always trusted; headers from any other sender are ignored.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>IP addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for Postgres. For Sqlite, defaults to a file in <see cref="BridgeOptions.DataPath"/>.</summary>
    public string? ConnectionString { get; set; }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public enum ProvisioningMode
{
    AutoCreate,
    AllowList,
}

public static class SignInMethods
{
    public const string XummOidc = "xumm-oidc";
    public const string XummPayload = "xumm-payload";
}

/// <summary><c>Bridge:ClientAuthentication</c>: how clients authenticate at the token, introspection, revocation and CIBA endpoints.</summary>
public sealed class ClientAuthenticationOptions
{
    /// <summary>
    /// The audience a <c>private_key_jwt</c> assertion must have. <see cref="AssertionAudiences.Issuer"/> is the
    /// recommended value: a client that also talks to another authorization server can be led by that server's
    /// metadata to sign an assertion addressed to one of this server's endpoint URLs and hand it over, to be
    /// replayed here; an assertion addressed to the issuer alone cannot be obtained that way.
    /// <see cref="AssertionAudiences.IssuerOrEndpoint"/>, the default, keeps the clients working that still send
    /// the token endpoint URL (as RFC 7523 and OIDC Core allowed).
    /// </summary>
    public string AssertionAudience { get; set; } = AssertionAudiences.IssuerOrEndpoint;
}

/// <summary>The values of <see cref="ClientAuthenticationOptions.AssertionAudience"/>.</summary>
public static class AssertionAudiences
{
    /// <summary>The issuer identifier, as the only audience (draft-ietf-oauth-rfc7523bis).</summary>
    public const string Issuer = "Issuer";

    /// <summary>The issuer, the token endpoint URL or the URL of the endpoint called, or an array of no other values.</summary>
    public const string IssuerOrEndpoint = "IssuerOrEndpoint";
}

/// <summary><c>Bridge:PushedAuthorization</c>: pushed authorization requests (RFC 9126) at <c>/connect/par</c>.</summary>
public sealed class PushedAuthorizationOptions
{
    /// <summary>
    /// How long a pushed request's <c>request_uri</c> may be brought to the authorize endpoint (its <c>expires_in</c>):
    /// whole seconds, from <see cref="MinLifetime"/> to <see cref="MaxLifetime"/>. Once there, the request lives on
    /// through the login and consent it leads to.
    /// </summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether the authorize endpoint takes only pushed requests (RFC 9126 §5, <c>require_pushed_authorization_requests</c>).</summary>
    public bool Required { get; set; }

    /// <summary>The shortest <see cref="Lifetime"/>: one second, the least <c>expires_in</c> can say.</summary>
    public static readonly TimeSpan MinLifetime = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="Lifetime"/>: RFC 9126 §2.2 expects a short one, seconds to minutes.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);
}

/// <summary><c>Bridge:DPoP</c>: proofs of possession of a key (RFC 9449).</summary>
public sealed class DPoPOptions
{
    /// <summary>
    /// Whether every DPoP proof must carry a nonce this bridge issued recently (RFC 9449 §8-9): without one, the token
    /// and PAR endpoints answer use_dpop_nonce, userinfo and the admin API its challenge, with a nonce to use.
    /// </summary>
    public bool RequireNonce { get; set; }
}

public sealed class AdminOptions
{
    /// <summary>r-addresses that receive the bridge-admin role on sign-in (first admin without a password).</summary>
    public List<string> BootstrapWallets { get; set; } = [];
}

public sealed class KeyOptions
{
    /// <summary>Algorithm of the key created on first start: RS256 or ES256. An ES256 key is kept too when a client asks for it.</summary>
    public string DefaultAlgorithm { get; set; } = "RS256";

    /// <summary>How long a key signs before the next one takes over.</summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a new key is announced in JWKS before it signs.</summary>
    public TimeSpan PropagationTime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long a retired key stays in JWKS (at least the longest token lifetime).</summary>
    public TimeSpan RetentionTime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Folder scanned for PEM private keys to import (relative to the content root).</summary>
    public string ImportPath { get; set; } = "certs";
}

/// <summary>
/// <c>Bridge:KeyRing</c>: encryption at rest of the data protection key ring, which is stored in the database
/// and protects the signing keys' private keys, cookies and other protected state. Without a certificate
/// the key ring is stored in clear, and a copy of the database is enough to read the signing keys.
/// </summary>
public sealed class KeyRingOptions
{
    /// <summary>A certificate with its RSA private key (PKCS#12 .pfx/.p12, or PEM holding both) that encrypts new key ring entries.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The password of the certificate file(s), if they have one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Certificates that encrypted earlier entries (after a certificate change): used only to decrypt.</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];
}

public sealed class SessionOptions
{
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(10);
}

/// <summary>
/// Notifications the bridge sends to clients' servers (<c>Bridge:Notifications</c>): back-channel logout tokens and
/// CIBA pings.
/// </summary>
public sealed class NotificationOptions
{
    /// <summary>
    /// How many times a notification is sent again to a client that could not be reached, did not answer in time, or
    /// answered 429 or a 5xx status. 0 sends each once. Other answers (2xx, 3xx, 4xx) are final.
    /// </summary>
    public int Retries { get; set; } = 2;

    /// <summary>
    /// The wait before the first retry; it doubles for each next one. A longer <c>Retry-After</c> of the client is
    /// honoured, up to <see cref="MaxRetryAfter"/>.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public const int MaxRetries = 10;
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(1);
}

public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per minute per remote address on authorize/token/par/ciba/admin/webhook.</summary>
    public int PermitsPerMinute { get; set; } = 600;

    /// <summary>
    /// Requests per minute per client id on the same endpoints. Larger than the per-address budget because all
    /// users of a client share it, and so that one address cannot use up a client's budget on its own.
    /// </summary>
    public int PermitsPerMinutePerClient { get; set; } = 6000;

    /// <summary>
    /// Sign-ins a remote address may start per minute (POST <c>/signin/qr</c>, <c>/signin/push</c>; <c>/xapp</c>). Each
    /// start creates a Xumm payload or resolves an xApp token, and Xumm allows the whole application only about 30
    /// payloads a minute: without this budget a single address could deny sign-in to everybody.
    /// </summary>
    public int SignInsPerMinute { get; set; } = 10;

    /// <summary>Push sign-ins sent to one wallet per hour; beyond it the sign-in shows a QR code instead.</summary>
    public int PushesPerWalletPerHour { get; set; } = 6;

    /// <summary>
    /// Payloads browser sign-ins may create per minute on this node, all addresses together; the rest of Xumm's
    /// quota (about 30 a minute per application) is left to CIBA.
    /// </summary>
    public int BrowserPayloadsPerMinute { get; set; } = 20;
}

public sealed class AuditOptions
{
    /// <summary>A hundred years: the purge's cut-off is a date, and a date can only go back so far.</summary>
    public const int MaxRetentionDays = 36_500;

    /// <summary>Days an audit event is kept; 0 keeps every event.</summary>
    public int RetentionDays { get; set; } = 365;
}
