using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using XummSimulator.Internal;
using XummSimulator.Model;
using XummSimulator.Platform;
using XummSimulator.Webhooks;

namespace XummSimulator;

/// <summary>
/// Everything the simulator remembers: payloads, sign-ins, codes, user tokens, one-time tokens, the
/// signing key and the fault switches. One instance per host (a DI singleton). Tests may drive it
/// directly; every method is safe to call from any thread.
/// </summary>
public sealed class XummSimulatorState : IDisposable
{
    private readonly Lock _gate = new();
    private readonly XummSimulatorOptions _options;
    private readonly WebhookQueue _webhooks;
    private readonly Dictionary<string, SimulatedPayload> _payloads = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AuthorizationRequest> _authorizations = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedUserToken> _userTokens = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, OneTimeToken> _oneTimeTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (WalletKey Key, bool Master)> _wallets = new(StringComparer.Ordinal);
    private XummSimulatorFaults _faults = XummSimulatorFaults.None;
    private XummAutoApprove? _autoApprove;
    private long _sequence;

    internal XummSimulatorState(IOptions<XummSimulatorOptions> options, TimeProvider time, WebhookQueue webhooks)
    {
        _options = options.Value;
        _webhooks = webhooks;
        Time = time;
        _autoApprove = InitialAutoApprove(_options);
    }

    public TimeProvider Time { get; }

    public XummSimulatorOptions Options => _options;

    internal SigningKeys Keys { get; } = new();

    internal WebhookQueue Webhooks => _webhooks;

    public XummSimulatorApp? FindApp(string? apiKey) =>
        apiKey is null ? null : _options.Apps.FirstOrDefault(a => string.Equals(a.ApiKey, apiKey, StringComparison.OrdinalIgnoreCase));

    // ---- payloads -------------------------------------------------------------------------------

    /// <summary>Creates a payload for <paramref name="app"/>; it is pushed when the draft carries a live user token of that app.</summary>
    public SimulatedPayload CreatePayload(XummSimulatorApp app, PayloadDraft draft) =>
        CreatePayload(app, draft, PayloadOrigin.PlatformApi);

    public SimulatedPayload? FindPayload(string uuid)
    {
        lock (_gate)
        {
            return _payloads.GetValueOrDefault(uuid);
        }
    }

    public IReadOnlyList<SimulatedPayload> Payloads()
    {
        lock (_gate)
        {
            return [.. _payloads.Values.OrderBy(p => p.Sequence)];
        }
    }

    /// <summary>The wallet opened the payload (scanned the QR code, followed the deep link or the push).</summary>
    public XummSimulatorResult Open(string uuid, bool byDeeplink = false)
    {
        SimulatedPayload? payload;
        lock (_gate)
        {
            var check = CheckPending(uuid, out payload);
            if (!check.Succeeded)
            {
                return check;
            }

            if (payload!.Opened)
            {
                return XummSimulatorResult.Success;
            }

            MarkOpened(payload, byDeeplink);
        }

        payload.NotifyChanged();
        return XummSimulatorResult.Success;
    }

    /// <summary>
    /// The wallet <paramref name="account"/> signs the payload on <paramref name="network"/> (or on the
    /// pinned network, or the default one). A user token is issued or renewed for the wallet and the app.
    /// </summary>
    public XummSimulatorResult Approve(string uuid, string account, string? network = null, bool byDeeplink = false)
    {
        SimulatedPayload? payload;
        lock (_gate)
        {
            var check = CheckPending(uuid, out payload);
            if (!check.Succeeded)
            {
                return check;
            }

            if (!XrplAddress.IsValid(account))
            {
                return XummSimulatorResult.Fail("invalid_account", "The account is not a valid r-address.");
            }

            // The faults let a wallet sign what the platform would refuse, for clients that must check for themselves.
            var draft = payload!.Draft;
            if (!TryResolveNetwork(_faults.IgnoreForceNetwork ? null : draft.ForceNetwork, network, out var signedOn))
            {
                return XummSimulatorResult.Fail("invalid_network", $"Unknown network '{network}'.");
            }

            if (!_faults.IgnoreSigners && draft.Signers is { Count: > 0 } signers && !signers.Contains(account, StringComparer.Ordinal))
            {
                return XummSimulatorResult.Fail("signer_not_allowed", "The account is not among the allowed signers.");
            }

            var now = Time.GetUtcNow();
            if (!payload.Opened)
            {
                MarkOpened(payload, byDeeplink);
            }

            var (hex, txid) = SignedBlob(draft, account);
            payload.Resolved = true;
            payload.Signed = true;
            payload.ResolvedAt = now;
            payload.Account = account;
            payload.Network = signedOn;
            payload.Hex = hex;
            payload.TxId = txid;
            payload.SignMethod = "PIN";
            payload.ReferenceCallUuid = RandomIds.NewUuidV4();
            payload.IssuedUserToken = IssueUserToken(payload.ApiKey, account, now).Token;
            EnqueueWebhook(payload);
        }

        payload.NotifyChanged();
        return XummSimulatorResult.Success;
    }

    /// <summary>
    /// A new wallet made from a fresh key pair: its address is the key's own, so it signs with its master key.
    /// Wallets (and the keys kept for other addresses) outlive <see cref="Reset"/>, as accounts outlive sessions.
    /// </summary>
    public SimulatedWallet CreateWallet(SimulatedKeyType keyType = SimulatedKeyType.Secp256k1)
    {
        var key = WalletKey.Create(keyType);
        var address = key.OwnAddress;
        lock (_gate)
        {
            _wallets[address] = (key, true);
        }

        return Describe(address, key, master: true);
    }

    /// <summary>The key the simulator signs with for <paramref name="address"/>, or null before it first signed.</summary>
    public SimulatedWallet? FindWallet(string address)
    {
        lock (_gate)
        {
            return _wallets.TryGetValue(address, out var wallet) ? Describe(address, wallet.Key, wallet.Master) : null;
        }
    }

    /// <summary>The wallet declines the payload.</summary>
    public XummSimulatorResult Reject(string uuid)
    {
        SimulatedPayload? payload;
        lock (_gate)
        {
            var check = CheckPending(uuid, out payload);
            if (!check.Succeeded)
            {
                return check;
            }

            if (!payload!.Opened)
            {
                MarkOpened(payload, byDeeplink: false);
            }

            payload.Resolved = true;
            payload.Signed = false;
            payload.ResolvedAt = Time.GetUtcNow();
            payload.ReferenceCallUuid = RandomIds.NewUuidV4();
            EnqueueWebhook(payload);
        }

        payload.NotifyChanged();
        return XummSimulatorResult.Success;
    }

    /// <summary>Expires a pending payload now, whatever its expiry time.</summary>
    public XummSimulatorResult Expire(string uuid)
    {
        SimulatedPayload? payload;
        lock (_gate)
        {
            var check = CheckPending(uuid, out payload);
            if (!check.Succeeded)
            {
                return check;
            }

            payload!.ForcedExpired = true;
        }

        payload.NotifyChanged();
        return XummSimulatorResult.Success;
    }

    /// <summary>
    /// Cancels like <c>DELETE /payload/{uuid}</c>: only a payload nobody opened or resolved yet. Returns
    /// the platform's reason (<c>OK</c>, <c>ALREADY_RESOLVED</c>, <c>ALREADY_OPENED</c>, ...), or null when unknown.
    /// </summary>
    public string? Cancel(string uuid)
    {
        SimulatedPayload? payload;
        lock (_gate)
        {
            if (!_payloads.TryGetValue(uuid, out payload))
            {
                return null;
            }

            var now = Time.GetUtcNow();
            if (payload.Resolved)
            {
                return "ALREADY_RESOLVED";
            }

            if (payload.Cancelled)
            {
                return "ALREADY_CANCELLED";
            }

            if (payload.IsExpired(now))
            {
                return "ALREADY_EXPIRED";
            }

            if (payload.Opened)
            {
                return "ALREADY_OPENED";
            }

            payload.Cancelled = true;
        }

        payload.NotifyChanged();
        return "OK";
    }

    // ---- user tokens ----------------------------------------------------------------------------

    public IReadOnlyList<SimulatedUserToken> UserTokens()
    {
        lock (_gate)
        {
            return [.. _userTokens.Values.OrderBy(t => t.IssuedAt)];
        }
    }

    public SimulatedUserToken? FindUserToken(string token)
    {
        lock (_gate)
        {
            return _userTokens.GetValueOrDefault(token);
        }
    }

    /// <summary>The user revokes the token in the app.</summary>
    public bool RevokeUserToken(string token)
    {
        lock (_gate)
        {
            if (!_userTokens.TryGetValue(token, out var found))
            {
                return false;
            }

            found.Revoked = true;
            return true;
        }
    }

    /// <summary>The token's 30 days run out now (as if the user had not signed with it for 30 days).</summary>
    public bool ExpireUserToken(string token)
    {
        lock (_gate)
        {
            if (!_userTokens.TryGetValue(token, out var found))
            {
                return false;
            }

            found.ExpiresAt = Time.GetUtcNow();
            return true;
        }
    }

    // ---- xApps ----------------------------------------------------------------------------------

    /// <summary>Opens an xApp of <paramref name="apiKey"/> as <paramref name="account"/>: returns the one-time token.</summary>
    public string IssueXAppOneTimeToken(string apiKey, string account, string? network = null, string locale = "en", string style = "LIGHT")
    {
        if (FindApp(apiKey) is null)
        {
            throw new ArgumentException("Unknown application.", nameof(apiKey));
        }

        if (!XrplAddress.IsValid(account))
        {
            throw new ArgumentException("Not a valid r-address.", nameof(account));
        }

        if (!TryResolveNetwork(null, network, out var on))
        {
            throw new ArgumentException("Unknown network.", nameof(network));
        }

        var token = RandomIds.NewUuidV4();
        lock (_gate)
        {
            _oneTimeTokens[token] = new OneTimeToken(token, apiKey, account, on, locale, style, Time.GetUtcNow() + _options.OneTimeTokenLifetime);
        }

        return token;
    }

    /// <summary>Resolves a one-time token once; opening an xApp issues or renews the user token.</summary>
    internal (OneTimeToken Ott, SimulatedUserToken UserToken)? RedeemOneTimeToken(string apiKey, string token)
    {
        lock (_gate)
        {
            var now = Time.GetUtcNow();
            if (!_oneTimeTokens.TryGetValue(token, out var ott) || ott.Used || now >= ott.ExpiresAt
                || !string.Equals(ott.ApiKey, apiKey, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            ott.Used = true;
            return (ott, IssueUserToken(ott.ApiKey, ott.Account, now));
        }
    }

    // ---- auto-approve and faults ----------------------------------------------------------------

    public XummAutoApprove? AutoApprove
    {
        get
        {
            lock (_gate)
            {
                return _autoApprove;
            }
        }
    }

    /// <summary>Sets (or with a null account clears) the wallet that approves sign-ins at <c>/auth</c> at once.</summary>
    public XummSimulatorResult SetAutoApprove(string? account, string? network = null, bool once = false)
    {
        if (account is null)
        {
            lock (_gate)
            {
                _autoApprove = null;
            }

            return XummSimulatorResult.Success;
        }

        if (!XrplAddress.IsValid(account))
        {
            return XummSimulatorResult.Fail("invalid_account", "The account is not a valid r-address.");
        }

        if (network is not null && !XummNetworks.TryFind(network, out _))
        {
            return XummSimulatorResult.Fail("invalid_network", $"Unknown network '{network}'.");
        }

        lock (_gate)
        {
            _autoApprove = new XummAutoApprove(account, network, once);
        }

        return XummSimulatorResult.Success;
    }

    public XummSimulatorFaults Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults;
            }
        }
    }

    public void UpdateFaults(Func<XummSimulatorFaults, XummSimulatorFaults> change)
    {
        lock (_gate)
        {
            _faults = change(_faults);
        }
    }

    public void BlockAccount(string account) =>
        UpdateFaults(f => f with { BlockedAccounts = new HashSet<string>(f.BlockedAccounts.Append(account), StringComparer.Ordinal) });

    public void ResetFaults() => UpdateFaults(_ => XummSimulatorFaults.None);

    /// <summary>Replaces the signing key: tokens signed before no longer verify against the JWKS.</summary>
    public void RotateSigningKey() => Keys.Rotate();

    public bool IsBlocked(string account) =>
        _options.UserBlocked.Contains(account, StringComparer.Ordinal) || Faults.BlockedAccounts.Contains(account);

    public bool IsKycApproved(string account) => _options.KycApproved.Contains(account, StringComparer.Ordinal);

    public IReadOnlyList<WebhookAttempt> WebhookAttempts() => _webhooks.Attempts();

    /// <summary>Forgets payloads, sign-ins, codes, tokens and faults; auto-approve returns to its configured value.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _payloads.Clear();
            _authorizations.Clear();
            _codes.Clear();
            _userTokens.Clear();
            _oneTimeTokens.Clear();
            _faults = XummSimulatorFaults.None;
            _autoApprove = InitialAutoApprove(_options);
        }

        _webhooks.ClearLog();
    }

    // ---- OAuth2 ---------------------------------------------------------------------------------

    internal AuthorizationRequest BeginAuthorization(XummSimulatorApp app, AuthorizationRequest template, XummNetwork? forceNetwork, IReadOnlyList<string>? signers)
    {
        var payload = CreatePayload(app, PayloadDraft.SignIn(forceNetwork, signers), PayloadOrigin.OAuth2);
        var request = template with { PayloadUuid = payload.Uuid };
        lock (_gate)
        {
            _authorizations[payload.Uuid] = request;
        }

        return request;
    }

    internal AuthorizationRequest? FindAuthorization(string payloadUuid)
    {
        lock (_gate)
        {
            return _authorizations.GetValueOrDefault(payloadUuid);
        }
    }

    /// <summary>Takes the auto-approve setting for one sign-in (a one-shot setting is used up).</summary>
    internal XummAutoApprove? TakeAutoApprove()
    {
        lock (_gate)
        {
            var current = _autoApprove;
            if (current is { Once: true })
            {
                _autoApprove = null;
            }

            return current;
        }
    }

    /// <summary>
    /// Where a sign-in stands: still pending (null), finished with a grant (a code, or for the implicit
    /// flow what the token is issued for), or finished with an error.
    /// A finished sign-in answers once; afterwards it reports <c>invalid_request</c>.
    /// </summary>
    internal AuthorizationOutcome? CompleteAuthorization(string payloadUuid)
    {
        lock (_gate)
        {
            if (!_authorizations.TryGetValue(payloadUuid, out var request) || !_payloads.TryGetValue(payloadUuid, out var payload))
            {
                return null;
            }

            if (request.Completed)
            {
                return AuthorizationOutcome.Failed(request, "invalid_request", "This sign-in has already been completed.");
            }

            var now = Time.GetUtcNow();
            switch (payload.StatusAt(now))
            {
                case PayloadStatus.Pending:
                    return null;
                case PayloadStatus.Signed:
                    request.Completed = true;
                    var code = new AuthorizationCode(
                        RandomIds.NewToken(),
                        request.ClientId,
                        request.RedirectUri,
                        request.Scope,
                        request.Nonce,
                        request.CodeChallenge,
                        payload.Uuid,
                        payload.Account!,
                        payload.Network!,
                        payload.IssuedUserToken,
                        now + _options.CodeLifetime);
                    if (!request.Implicit)
                    {
                        // The implicit flow hands out the token at once: its grant is never stored,
                        // so nothing can be redeemed at /token afterwards.
                        _codes[code.Code] = code;
                    }

                    return AuthorizationOutcome.Approved(request, code);
                default:
                    request.Completed = true;
                    return AuthorizationOutcome.Failed(request, "access_denied", "The sign-in was not approved.");
            }
        }
    }

    /// <summary>Redeems a code once. Returns null when unknown, used or expired.</summary>
    internal AuthorizationCode? RedeemCode(string code)
    {
        lock (_gate)
        {
            if (!_codes.TryGetValue(code, out var found) || found.Used || Time.GetUtcNow() >= found.ExpiresAt)
            {
                return null;
            }

            found.Used = true;
            return found;
        }
    }

    internal T WithLock<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    public void Dispose() => Keys.Dispose();

    // ---- internals ------------------------------------------------------------------------------

    private static SimulatedWallet Describe(string address, WalletKey key, bool master) =>
        new(address, key.KeyType, Convert.ToHexString(key.PublicKey), master);

    /// <summary>
    /// The signed blob and its id. A SignIn is signed for real: with the wallet's master key when the simulator made
    /// the wallet, otherwise with a secp256k1 key it keeps for that address from then on (a regular key, as the
    /// address does not derive from it). Other transaction types get a stand-in: the simulator does not encode them.
    /// Called under the lock.
    /// </summary>
    private (string Hex, string TxId) SignedBlob(PayloadDraft draft, string account)
    {
        if (!string.Equals(draft.TxType, "SignIn", StringComparison.Ordinal) || !XrplAddress.TryDecode(account, out var accountId))
        {
            var standIn = RandomIds.NewHex(96);
            return (standIn, Convert.ToHexString(SHA512.HashData(Convert.FromHexString(standIn)).AsSpan(0, 32)));
        }

        if (!_wallets.TryGetValue(account, out var wallet))
        {
            wallet = (WalletKey.Create(SimulatedKeyType.Secp256k1), false);
            _wallets[account] = wallet;
        }

        return SignInBlob.Sign(wallet.Key, accountId, _faults.ForgedSignIn);
    }

    private SimulatedPayload CreatePayload(XummSimulatorApp app, PayloadDraft draft, PayloadOrigin origin)
    {
        var now = Time.GetUtcNow();
        var expiry = draft.ExpireMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : _options.PayloadExpiry;
        lock (_gate)
        {
            var pushed = draft.UserToken is { } token
                && _userTokens.TryGetValue(token, out var userToken)
                && string.Equals(userToken.ApiKey, app.ApiKey, StringComparison.OrdinalIgnoreCase)
                && userToken.IsActive(now);
            var payload = new SimulatedPayload(RandomIds.NewUuidV4(), app.ApiKey, origin, draft, now, now + expiry, pushed)
            {
                Sequence = ++_sequence,
            };
            _payloads[payload.Uuid] = payload;
            return payload;
        }
    }

    private XummSimulatorResult CheckPending(string uuid, out SimulatedPayload? payload)
    {
        if (!_payloads.TryGetValue(uuid, out payload))
        {
            return XummSimulatorResult.Fail("not_found", "No such payload.");
        }

        return payload.StatusAt(Time.GetUtcNow()) switch
        {
            PayloadStatus.Pending => XummSimulatorResult.Success,
            PayloadStatus.Cancelled => XummSimulatorResult.Fail("cancelled", "The payload was cancelled."),
            PayloadStatus.Expired => XummSimulatorResult.Fail("expired", "The payload has expired."),
            _ => XummSimulatorResult.Fail("already_resolved", "The payload has already been resolved."),
        };
    }

    private static void MarkOpened(SimulatedPayload payload, bool byDeeplink)
    {
        payload.Opened = true;
        payload.OpenedByDeeplink = byDeeplink;
        payload.OriginType = payload.Pushed ? "PUSH_NOTIFICATION" : byDeeplink ? "DEEP_LINK" : "QR";
    }

    private bool TryResolveNetwork(XummNetwork? forced, string? requested, out XummNetwork network)
    {
        if (forced is not null)
        {
            network = forced;
            return true;
        }

        if (XummNetworks.TryFind(string.IsNullOrWhiteSpace(requested) ? _options.Network : requested, out var found))
        {
            network = found;
            return true;
        }

        network = XummNetworks.Mainnet;
        return false;
    }

    /// <summary>Renews the live token of the wallet for the app, or issues a new one.</summary>
    private SimulatedUserToken IssueUserToken(string apiKey, string account, DateTimeOffset now)
    {
        var live = _userTokens.Values.FirstOrDefault(t =>
            string.Equals(t.ApiKey, apiKey, StringComparison.OrdinalIgnoreCase)
            && string.Equals(t.Account, account, StringComparison.Ordinal)
            && t.IsActive(now));
        if (live is not null)
        {
            live.ExpiresAt = now + _options.UserTokenLifetime;
            return live;
        }

        var issued = new SimulatedUserToken(RandomIds.NewUuidV4(), apiKey, account, now, now + _options.UserTokenLifetime);
        _userTokens[issued.Token] = issued;
        return issued;
    }

    private void EnqueueWebhook(SimulatedPayload payload)
    {
        var app = FindApp(payload.ApiKey);
        if (app?.WebhookUrl is not { Length: > 0 } url)
        {
            return;
        }

        var userToken = payload.IssuedUserToken is { } token ? _userTokens.GetValueOrDefault(token) : null;
        var body = PayloadJson.WebhookBody(payload, url, userToken).ToJsonString();
        _webhooks.Enqueue(new WebhookDelivery(url, app.ApiSecret, body, payload.Uuid, payload.ReferenceCallUuid!));
    }

    private static XummAutoApprove? InitialAutoApprove(XummSimulatorOptions options) =>
        string.IsNullOrWhiteSpace(options.AutoApprove) ? null : new XummAutoApprove(options.AutoApprove, null, Once: false);
}
