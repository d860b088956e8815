using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Xumm;

/// <summary>
/// The JWT Xumm hands to an xApp backend for a resolved one-time token: HS256, keyed with the application's
/// API secret (UTF-8), valid 24 hours, carrying the wallet's r-address and network.
/// </summary>
public static class XAppJwt
{
    /// <summary>Issuer Xumm writes into xApp tokens.</summary>
    public const string Issuer = "https://xumm.app";

    /// <summary>The only accepted signing algorithm.</summary>
    public const string Algorithm = SecurityAlgorithms.HmacSha256;

    /// <summary>
    /// Shortest API secret (UTF-8 bytes) usable as an HS256 key here; Xumm secrets are UUIDs (36 characters).
    /// </summary>
    public const int MinimumSecretBytes = 32;

    /// <summary>Lifetime Xumm gives xApp tokens.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);

    /// <summary>Claim names used in xApp tokens.</summary>
    public static class Claims
    {
        /// <summary>The application's API key.</summary>
        public const string ClientId = "client_id";

        /// <summary>The application's API key, again.</summary>
        public const string AppUuid = "app_uuidv4";

        /// <summary>Display name of the application.</summary>
        public const string AppName = "app_name";

        /// <summary>The wallet's r-address.</summary>
        public const string Subject = "sub";

        /// <summary>The wallet's r-address, again.</summary>
        public const string Account = "account";

        /// <summary>User token for push delivery of later payloads.</summary>
        public const string UserToken = "usertoken_uuidv4";

        /// <summary>Network the wallet is on: MAINNET, TESTNET, XAHAU, ...</summary>
        public const string NetworkType = "network_type";

        /// <summary>Websocket endpoint of that network.</summary>
        public const string NetworkEndpoint = "network_endpoint";

        /// <summary>Numeric network id (0 for the XRPL main net).</summary>
        public const string NetworkId = "network_id";

        /// <summary>Issued at, unix seconds.</summary>
        public const string IssuedAt = "iat";

        /// <summary>Expiry, unix seconds.</summary>
        public const string ExpiresAt = "exp";

        /// <summary>Not before, unix seconds (optional).</summary>
        public const string NotBefore = "nbf";

        /// <summary>Issuer.</summary>
        public const string Issuer = "iss";
    }

    /// <summary>Mints an xApp token the way Xumm does (used by the local simulator and by tests).</summary>
    public static string Create(XAppJwtDescriptor descriptor, string apiSecret)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        EnsureUsableSecret(apiSecret);
        ArgumentException.ThrowIfNullOrEmpty(descriptor.ApiKey);
        ArgumentException.ThrowIfNullOrEmpty(descriptor.Account);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(descriptor.Lifetime, TimeSpan.Zero);

        var issuedAt = descriptor.IssuedAt.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.ClientId] = descriptor.ApiKey,
            [Claims.AppUuid] = descriptor.ApiKey,
            [Claims.Subject] = descriptor.Account,
            [Claims.Account] = descriptor.Account,
            [Claims.NetworkType] = descriptor.NetworkType,
            [Claims.Issuer] = Issuer,
            [Claims.IssuedAt] = issuedAt,
            [Claims.ExpiresAt] = issuedAt + (long)descriptor.Lifetime.TotalSeconds,
        };
        AddIfPresent(claims, Claims.AppName, descriptor.AppName);
        AddIfPresent(claims, Claims.UserToken, descriptor.UserToken);
        AddIfPresent(claims, Claims.NetworkEndpoint, descriptor.NetworkEndpoint);
        if (descriptor.NetworkId is { } networkId)
        {
            claims[Claims.NetworkId] = networkId;
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(SigningKey(apiSecret), Algorithm),
        });
    }

    /// <summary>Refuses secrets too short for an HS256 key, naming the rule but never the value.</summary>
    internal static void EnsureUsableSecret(string? apiSecret, [CallerArgumentExpression(nameof(apiSecret))] string? parameterName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiSecret, parameterName);
        if (Encoding.UTF8.GetByteCount(apiSecret) < MinimumSecretBytes)
        {
            throw new ArgumentException(
                $"The API secret must be at least {MinimumSecretBytes} bytes long to sign or verify xApp tokens.",
                parameterName);
        }
    }

    internal static SymmetricSecurityKey SigningKey(string apiSecret) => new(Encoding.UTF8.GetBytes(apiSecret));

    private static void AddIfPresent(Dictionary<string, object> claims, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            claims[name] = value;
        }
    }
}
