using System.Buffers;
using System.Globalization;
using System.Text;
using IdentityBridge.Accounts;
using IdentityBridge.Configuration;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Federation.UserTokens;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Ciba;

/// <summary>A backchannel authentication request that passed every check.</summary>
public sealed record CibaRequest(
    RegisteredClient Client,
    IReadOnlyList<string> Scopes,
    string AccountId,
    LiveUserToken UserToken,
    string BindingMessage,
    int ExpiresIn,
    string DeliveryMode,
    string? NotificationToken,
    string? NotificationEndpoint);

/// <summary>
/// Validates a CIBA authentication request (CIBA Core §7.1–7.2, §13) for an authenticated client: the grant is
/// allowed, <c>scope</c> contains <c>openid</c>, exactly one hint (<c>login_hint</c> = r-address or account id,
/// or <c>id_token_hint</c>; <c>login_hint_token</c> is not supported), a <c>binding_message</c> of at most 64
/// printable characters (no control, format or separator characters), <c>requested_expiry</c> within bounds,
/// and a <c>client_notification_token</c> for ping clients. The user must be reachable: without a live Xumm user
/// token the answer is <c>unknown_user_id</c>.
/// </summary>
public sealed class CibaRequestValidator(BridgeDbContext db, UserTokenStore userTokens, OwnTokenReader tokens, IOptions<PayloadSignInOptions> options,
    IOptions<BridgeOptions> bridge)
{
    public async Task<(CibaRequest? Request, ProtocolError? Error)> ValidateAsync(RegisteredClient client, OAuthParameters p, CancellationToken ct)
    {
        if (client.IsPublic) return Fail(ProtocolErrors.UnauthorizedClient, "Public clients cannot use CIBA.");
        if (!client.AllowsGrant(GrantTypeNames.Ciba)) return Fail(ProtocolErrors.UnauthorizedClient, "This client may not use CIBA.");
        if (p["request"] is not null) return Fail(ProtocolErrors.InvalidRequest, "Signed authentication requests are not supported.");

        var scopes = OidcScopes.Parse(p["scope"]);
        if (!scopes.Contains(OidcScopes.OpenId)) return Fail(ProtocolErrors.InvalidScope, "scope must contain openid.");
        if (scopes.FirstOrDefault(s => !client.AllowedScopes.Contains(s)) is { } bad)
            return Fail(ProtocolErrors.InvalidScope, $"The scope '{ErrorDescription.Echo(bad)}' is not allowed for this client.");

        var registration = await db.Clients.AsNoTracking().Where(c => c.ClientId == client.ClientId)
            .Select(c => new { c.BackchannelTokenDeliveryMode, c.BackchannelClientNotificationEndpoint }).FirstOrDefaultAsync(ct);
        var mode = string.IsNullOrWhiteSpace(registration?.BackchannelTokenDeliveryMode) ? Ciba.PollMode : registration.BackchannelTokenDeliveryMode.Trim().ToLowerInvariant();
        string? endpoint = null;
        string? notificationToken = null;
        if (mode == Ciba.PingMode)
        {
            endpoint = registration?.BackchannelClientNotificationEndpoint;
            if (!IsNotificationEndpoint(endpoint))
                return Fail(ProtocolErrors.UnauthorizedClient, "The client is registered for ping without a valid client notification endpoint.");
            notificationToken = p["client_notification_token"];
            if (notificationToken is null) return Fail(ProtocolErrors.InvalidRequest, "client_notification_token is required for ping clients.");
            if (notificationToken.Length > Ciba.MaxNotificationTokenLength || !IsBearerToken(notificationToken))
                return Fail(ProtocolErrors.InvalidRequest, "client_notification_token is not a valid bearer token.");
        }
        else if (mode != Ciba.PollMode)
            return Fail(ProtocolErrors.UnauthorizedClient, $"The token delivery mode '{mode}' is not supported (poll or ping).");

        var binding = p["binding_message"];
        if (binding is null) return Fail(Ciba.Errors.InvalidBindingMessage, "binding_message is required.");
        if (binding.Length > Ciba.MaxBindingMessageLength || !IsPlainText(binding) || string.IsNullOrWhiteSpace(binding))
            return Fail(Ciba.Errors.InvalidBindingMessage, $"binding_message must be 1 to {Ciba.MaxBindingMessageLength} printable characters.");

        var o = options.Value.Ciba;
        var expiresIn = o.DefaultExpirySeconds;
        if (p["requested_expiry"] is { } requested)
        {
            // Any positive integer is a valid request (CIBA §7.1); one too large for an int asks for more than the maximum.
            if (!requested.All(char.IsAsciiDigit) || requested.All(c => c == '0'))
                return Fail(ProtocolErrors.InvalidRequest, "requested_expiry must be a positive integer.");
            expiresIn = int.TryParse(requested, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? Math.Clamp(seconds, o.MinExpirySeconds, o.MaxExpirySeconds)
                : o.MaxExpirySeconds;
        }

        var hints = new[] { "login_hint", "id_token_hint", "login_hint_token" }.Where(p.Has).ToList();
        if (hints.Count != 1) return Fail(ProtocolErrors.InvalidRequest, "Send exactly one of login_hint or id_token_hint.");
        if (hints[0] == "login_hint_token") return Fail(ProtocolErrors.InvalidRequest, "login_hint_token is not supported; use login_hint.");

        var (accountId, token, error) = hints[0] == "login_hint"
            ? await FromLoginHintAsync(p["login_hint"]!, ct)
            : await FromIdTokenHintAsync(client, p["id_token_hint"]!, ct);
        if (error is not null) return (null, error);
        // The client's provisioning holds here as at the authorize endpoint: AllowList admits enrolled accounts only.
        var provisioning = ProvisioningRules.Parse(client.Provisioning) ?? bridge.Value.Provisioning;
        var enrolled = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.Enrolled).FirstOrDefaultAsync(ct);
        if (!ProvisioningRules.Admits(provisioning, enrolled, token!.Wallet, bridge.Value))
            return (null, new ProtocolError(ProtocolErrors.AccessDenied, "This user's account is not enrolled for this application.", StatusCodes.Status403Forbidden));
        return (new CibaRequest(client, scopes, accountId!, token!, binding, expiresIn, mode, notificationToken, endpoint), null);
    }

    private async Task<(string?, LiveUserToken?, ProtocolError?)> FromLoginHintAsync(string hint, CancellationToken ct)
    {
        hint = hint.Trim();
        if (XrplAddress.IsValid(hint))
        {
            var accountId = await db.Wallets.AsNoTracking().Where(w => w.Address == hint).Select(w => w.AccountId).FirstOrDefaultAsync(ct);
            if (accountId is null) return Unknown();
            if (await InactiveAsync(accountId, ct) is { } inactive) return (null, null, inactive);
            var token = await userTokens.FindLiveAsync(hint, ct);
            return token is null ? Unreachable() : (accountId, token, null);
        }
        return await FromAccountAsync(hint, ct);
    }

    private async Task<(string?, LiveUserToken?, ProtocolError?)> FromIdTokenHintAsync(RegisteredClient client, string hint, CancellationToken ct)
    {
        // CIBA §7.1: an ID token this provider issued to this client; it may have expired.
        var token = await tokens.ReadAsync(hint, "JWT");
        if (token is null || !token.Audiences.Contains(client.ClientId, StringComparer.Ordinal))
            return (null, null, new ProtocolError(ProtocolErrors.InvalidRequest, "id_token_hint is not an ID token issued to this client."));
        if (client.IsPairwise)
            return (null, null, new ProtocolError(Ciba.Errors.UnknownUserId, "Pairwise clients must use login_hint (the user's r-address)."));
        return await FromAccountAsync(token.Subject, ct);
    }

    private async Task<(string?, LiveUserToken?, ProtocolError?)> FromAccountAsync(string accountId, CancellationToken ct)
    {
        if (accountId.Length is 0 or > 64 || !await db.Accounts.AnyAsync(a => a.Id == accountId, ct)) return Unknown();
        if (await InactiveAsync(accountId, ct) is { } inactive) return (null, null, inactive);
        var token = await userTokens.FindLiveForAccountAsync(accountId, ct);
        return token is null ? Unreachable() : (accountId, token, null);
    }

    /// <summary>CIBA Core §13: access_denied is answered with 403, as for an account an AllowList client does not admit.</summary>
    private async Task<ProtocolError?> InactiveAsync(string accountId, CancellationToken ct) =>
        await db.Accounts.AnyAsync(a => a.Id == accountId && a.Status == AccountStatus.Active, ct)
            ? null
            : new ProtocolError(ProtocolErrors.AccessDenied, "The account is disabled.", StatusCodes.Status403Forbidden);

    private static (string?, LiveUserToken?, ProtocolError?) Unknown() =>
        (null, null, new ProtocolError(Ciba.Errors.UnknownUserId, "No user is known by this hint."));

    /// <summary>Known, but the bridge holds no live user token: a push cannot reach the wallet.</summary>
    private static (string?, LiveUserToken?, ProtocolError?) Unreachable() =>
        (null, null, new ProtocolError(Ciba.Errors.UnknownUserId,
            "The user cannot be reached by push: sign in once with Xumm in a browser so the bridge holds a user token."));

    private static (CibaRequest?, ProtocolError?) Fail(string error, string description) => (null, new ProtocolError(error, description));

    /// <summary>
    /// CIBA §7.1: a binding message is short plain text, shown to the user after the client's name. Besides
    /// control characters this refuses code points that are not text but change how the rest is laid out or
    /// read: format characters (bidirectional overrides, zero-width characters), line and paragraph separators,
    /// private-use and unassigned code points, and unpaired surrogates.
    /// </summary>
    private static bool IsPlainText(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != OperationStatus.Done) return false;
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
                return false;
            i += used;
        }
        return true;
    }

    /// <summary>
    /// CIBA §7.1: client_notification_token must have the syntax of a Bearer credential, RFC 6750 §2.1
    /// <c>b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="</c>; it is sent back in the
    /// Authorization header of the ping.
    /// </summary>
    private static bool IsBearerToken(string token)
    {
        var end = token.Length;
        while (end > 0 && token[end - 1] == '=') end--;
        if (end == 0) return false;
        for (var i = 0; i < end; i++)
            if (!(char.IsAsciiLetterOrDigit(token[i]) || token[i] is '-' or '.' or '_' or '~' or '+' or '/')) return false;
        return true;
    }

    internal static bool IsNotificationEndpoint(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
