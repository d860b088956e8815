using System.Security.Claims;
using IdentityBridge.Accounts;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Xumm;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation;

/// <summary>
/// Completes a validated upstream sign-in in the callback request itself: a login maps the wallet to an
/// account and starts a bridge session; a link adds the wallet to the signed-in account. The upstream
/// principal is never signed in to any cookie, so nothing external outlives this request.
/// </summary>
public sealed class SignInCompletion(
    AccountService accounts,
    SessionService sessions,
    ClientSignInPolicies clients,
    AuditLog audit,
    SignInFailureResponder failures,
    IOptions<BridgeOptions> options,
    ILogger<SignInCompletion> logger)
{
    public async Task CompleteAsync(TicketReceivedContext context)
    {
        // The bridge answers itself: the handler must not sign the upstream principal in anywhere.
        context.HandleResponse();
        var http = context.HttpContext;
        var operation = SignInOperation.From(context.Properties);
        var principal = context.Principal;
        var wallet = principal?.FindFirst(SignInClaims.Subject)?.Value;
        if (operation is null || principal is null || !XrplAddress.IsValid(wallet))
        {
            await failures.RespondAsync(http, operation, SignInFailure.Of(SignInFailureReason.InvalidState));
            return;
        }

        try
        {
            if (operation.Kind == SignInOperationKind.Link)
                await LinkAsync(http, operation, wallet!, principal);
            else
                await LoginAsync(http, operation, wallet!, principal);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested && !http.Response.HasStarted)
        {
            logger.LogError(ex, "Completing a sign-in with Xumm failed.");
            await failures.RespondAsync(http, operation,
                new SignInFailure(SignInFailureReason.Unavailable, "The sign-in could not be completed right now. Please try again in a moment."), wallet);
        }
    }

    private async Task LoginAsync(HttpContext http, SignInOperation operation, string wallet, ClaimsPrincipal principal)
    {
        var ct = http.RequestAborted;
        var network = principal.FindFirst(SignInClaims.Network)?.Value;
        var policy = operation.ClientId is { } clientId ? await clients.FindAsync(clientId, ct) : null;
        var provisioning = policy?.Provisioning ?? options.Value.Provisioning;
        var signIn = new WalletSignIn(wallet, network,
            KycApproved: principal.HasClaim(SignInClaims.KycApproved, "true"),
            DisplayName: principal.FindFirst(SignInClaims.Name)?.Value,
            Picture: principal.FindFirst(SignInClaims.Picture)?.Value);
        var result = await accounts.SignInAsync(signIn, provisioning, ct);
        switch (result.Outcome)
        {
            case WalletSignInOutcome.NotEnrolled:
                await failures.RespondAsync(http, operation, SignInFailure.Of(SignInFailureReason.NotEnrolled), wallet);
                return;
            case WalletSignInOutcome.Disabled:
                await failures.RespondAsync(http, operation, SignInFailure.Of(SignInFailureReason.AccountDisabled), wallet);
                return;
        }

        var account = result.Account!;
        await sessions.SignInAsync(http, new SessionSignIn(account.Id, wallet, network, XummSignIn.Method), ct);
        // Only a registered client is recorded: the operation's client id is whatever the return URL said.
        await audit.WriteAsync(AuditTypes.SignInSucceeded, wallet, account.Id, policy?.ClientId,
            details: new { method = XummSignIn.Method, network, created = result.Created, provisioning = provisioning.ToString() }, ct: ct);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Redirect(operation.ReturnUrl);
    }

    private async Task LinkAsync(HttpContext http, SignInOperation operation, string wallet, ClaimsPrincipal principal)
    {
        var ct = http.RequestAborted;
        // The link must finish in the session that asked for it, for the account that asked for it.
        var session = await sessions.GetCurrentAsync(http, ct);
        string outcome;
        if (session is null || !string.Equals(session.AccountId, operation.AccountId, StringComparison.Ordinal))
        {
            outcome = "session_ended";
        }
        else
        {
            var network = principal.FindFirst(SignInClaims.Network)?.Value;
            var result = await accounts.LinkWalletAsync(session.AccountId, wallet, network, actor: session.AccountId, ct);
            outcome = result switch
            {
                LinkResult.Linked => "linked",
                LinkResult.AlreadyLinked => "already_linked",
                LinkResult.LinkedElsewhere => "linked_elsewhere",
                _ => "session_ended",
            };
        }
        logger.LogInformation("Wallet link for account {AccountId}: {Outcome}", operation.AccountId, outcome);
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Redirect($"{XummSignIn.AccountPath}?link={outcome}");
    }
}
