using IdentityBridge.Accounts;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Authorize;

/// <summary>What an authorization request needs next.</summary>
public enum InteractionKind
{
    /// <summary>Issue the code.</summary>
    Proceed,
    /// <summary>Send the user to /login.</summary>
    Login,
    /// <summary>Send the user to /consent.</summary>
    Consent,
    /// <summary>Answer the client with an error (login_required, consent_required, access_denied).</summary>
    Error,
}

public sealed record InteractionDecision(InteractionKind Kind, ProtocolError? Error = null);

/// <summary>
/// Decides between login, consent and issuing the code (OIDC Core §3.1.2.3-4): prompt, max_age,
/// id_token_hint, the client's required network and provisioning, and remembered consent. A session
/// counts as fresh when it was authenticated by the login this very request started in this browser
/// (its interaction ticket); a fresh session that still does not fit the request ends it with an error
/// rather than another login.
/// </summary>
public sealed class AuthorizeInteraction(
    ConsentStore consents,
    SubjectResolver subjects,
    IDbContextFactory<BridgeDbContext> factory,
    IOptions<BridgeOptions> options,
    TimeProvider time)
{
    public static readonly TimeSpan ConsentTicketLifetime = TimeSpan.FromMinutes(10);

    public async Task<InteractionDecision> DecideAsync(AuthorizeRequest request, Session? session, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var client = request.Client;
        var silent = request.HasPrompt(Prompts.None);
        var fresh = session is not null && request.Ticket?.LoginAfter is { } after && session.AuthTime.ToUnixTimeMilliseconds() >= after;

        var needLogin = session is null;
        if (session is not null)
        {
            if (client.RequiredNetwork is { } network && !string.Equals(session.Network, network, StringComparison.OrdinalIgnoreCase))
            {
                if (fresh) return Deny($"This application requires a sign-in on {network}.");
                needLogin = true;
            }
            if (!await AdmitsAsync(client, session, ct))
            {
                if (fresh) return Deny("This wallet is not enrolled. Ask an administrator to enrol it, or sign in with an enrolled wallet.");
                needLogin = true;
            }
            // OIDC Core §5.5.1.1: an essential acr the sign-in does not meet fails it, as a required network does.
            if (request.Claims?.EssentialAcr is { } acrs && !acrs.Contains(session.Acr ?? LoginFacts.DefaultAcr, StringComparer.Ordinal))
            {
                if (fresh) return Deny("The sign-in does not meet the authentication level (acr) this application requires.");
                needLogin = true;
            }
            var subject = request.HintSubject is null && request.Claims?.Subject is null ? null : await subjects.SubjectForAsync(client, session.AccountId, ct);
            var otherUser = request.HintSubject is { } hinted && hinted != subject;
            // OIDC Core §5.5.1: a sub asked for by value names the user as id_token_hint does.
            var otherSubject = request.Claims?.Subject is { } asked && asked != subject;
            if (fresh)
            {
                // OIDC Core §3.1.2.1: the login did not sign in the user the id_token_hint names.
                if (otherUser)
                    return new InteractionDecision(InteractionKind.Error,
                        new ProtocolError(ProtocolErrors.LoginRequired, "The user who signed in is not the user named by id_token_hint."));
                // §3.1.2.6: no ID token for another subject than the one asked for.
                if (otherSubject)
                    return new InteractionDecision(InteractionKind.Error,
                        new ProtocolError(ProtocolErrors.LoginRequired, "The user who signed in is not the user whose sub the claims parameter asks for."));
            }
            else
            {
                if (request.HasPrompt(Prompts.Login) || request.HasPrompt(Prompts.SelectAccount)) needLogin = true;
                if (request.MaxAge is { } maxAge && now - session.AuthTime > TimeSpan.FromSeconds(maxAge)) needLogin = true;
                if (otherUser || otherSubject) needLogin = true;
            }
        }
        if (needLogin)
            return silent
                ? new InteractionDecision(InteractionKind.Error, new ProtocolError(ProtocolErrors.LoginRequired, "The user must sign in."))
                : new InteractionDecision(InteractionKind.Login);

        var accountId = session!.AccountId;
        var consentGiven = request.Ticket is { ConsentAt: { } at } t && t.ConsentAccount == accountId && t.ConsentClient == client.ClientId
                           && now - DateTimeOffset.FromUnixTimeMilliseconds(at) <= ConsentTicketLifetime
                           && request.ConsentScopes.All(OidcScopes.Parse(t.ConsentScopes).Contains);
        var needConsent = !consentGiven && (request.HasPrompt(Prompts.Consent)
                                            || (client.RequireConsent && !await consents.CoversAsync(accountId, client.ClientId, request.ConsentScopes, ct)));
        if (needConsent)
            return silent
                ? new InteractionDecision(InteractionKind.Error, new ProtocolError(ProtocolErrors.ConsentRequired, "The user must consent."))
                : new InteractionDecision(InteractionKind.Consent);
        return new InteractionDecision(InteractionKind.Proceed);
    }

    /// <summary>
    /// Whether the client's provisioning admits the session's account. Enrolment is checked here for the
    /// client being authorized, since the session may come from a sign-in for another client or none.
    /// </summary>
    private async Task<bool> AdmitsAsync(RegisteredClient client, Session session, CancellationToken ct)
    {
        var mode = ProvisioningRules.Parse(client.Provisioning) ?? options.Value.Provisioning;
        if (mode == ProvisioningMode.AutoCreate) return true;
        await using var db = await factory.CreateDbContextAsync(ct);
        var enrolled = await db.Accounts.AsNoTracking().Where(a => a.Id == session.AccountId).Select(a => a.Enrolled).FirstOrDefaultAsync(ct);
        return ProvisioningRules.Admits(mode, enrolled, session.Wallet, options.Value);
    }

    private static InteractionDecision Deny(string description) =>
        new(InteractionKind.Error, new ProtocolError(ProtocolErrors.AccessDenied, description));
}
