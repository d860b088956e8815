using System.Security.Claims;
using IdentityBridge.Accounts;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Admin.Authentication;

/// <summary>The caller must be an administrator right now (checked against the database on every request).</summary>
public sealed class AdminRequirement : IAuthorizationRequirement;

/// <summary>
/// Decides <see cref="AdminRequirement"/> for both ways in: a bearer token (scope bridge.admin, issued to a
/// client that is enabled and still allowed that scope; an admin account's token or the client's own token)
/// and the console's session cookie (live session, role claim and role still held). A revoked admin, a
/// disabled account, an ended session, or a client disabled or no longer allowed the scope loses access at once.
/// </summary>
public sealed class AdminAuthorizationHandler(BridgeDbContext db, SessionService sessions, IHttpContextAccessor accessor)
    : AuthorizationHandler<AdminRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
    {
        var http = context.Resource as HttpContext ?? accessor.HttpContext;
        if (http is null) return;
        AdminDenial? denial = null;
        foreach (var identity in context.User.Identities.Where(i => i.IsAuthenticated))
        {
            var (actor, refused) = identity.AuthenticationType switch
            {
                AdminAuth.BearerScheme => await CheckTokenAsync(identity, http.RequestAborted),
                BridgeSession.Scheme => await CheckSessionAsync(identity, http),
                _ => (null, (AdminDenial?)null),
            };
            if (actor is not null)
            {
                http.Items[AdminAuth.ActorItem] = actor;
                context.Succeed(requirement);
                return;
            }
            denial ??= refused;
        }
        if (denial is { } d)
        {
            http.Items[AdminAuth.DenialItem] = d;
            context.Fail(new AuthorizationFailureReason(this, d.ToString()));
        }
    }

    private async Task<(string? Actor, AdminDenial? Denial)> CheckTokenAsync(ClaimsIdentity identity, CancellationToken ct)
    {
        var scopes = identity.FindAll("scope").Concat(identity.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (!scopes.Contains(AdminAuth.Scope, StringComparer.Ordinal)) return (null, AdminDenial.InsufficientScope);
        // The client the token was issued to must still be registered, enabled and allowed the admin scope:
        // taking the scope away from a client (or disabling it) ends the admin access of its live tokens at once.
        var clientId = identity.FindFirst("client_id")?.Value;
        if (clientId is null || !await ClientMayAdministerAsync(clientId, ct)) return (null, AdminDenial.NotAdmin);
        // A user token names its local account in a claim the validator adds: for a client with pairwise
        // subjects, sub is that client's pairwise id and matches no account.
        if (identity.FindFirst(AccessTokenValidator.AccountIdClaim)?.Value is { Length: > 0 } accountId)
            return await IsActiveAdminAsync(accountId, ct) ? (accountId, null) : (null, AdminDenial.NotAdmin);
        var subject = identity.FindFirst("sub")!.Value;
        // A client's own token (client_credentials): the client checked above is the actor.
        if (subject == clientId) return (clientId, null);
        return await IsActiveAdminAsync(subject, ct) ? (subject, null) : (null, AdminDenial.NotAdmin);
    }

    /// <summary>Read from the database on every admin request (not from the client cache), so a change applies on every node at once.</summary>
    private async Task<bool> ClientMayAdministerAsync(string clientId, CancellationToken ct)
    {
        var scopes = await db.Clients.AsNoTracking().Where(c => c.ClientId == clientId && c.Enabled).Select(c => c.AllowedScopes).FirstOrDefaultAsync(ct);
        return scopes is not null && scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(AdminAuth.Scope, StringComparer.Ordinal);
    }

    private async Task<(string? Actor, AdminDenial? Denial)> CheckSessionAsync(ClaimsIdentity identity, HttpContext http)
    {
        var subject = identity.FindFirst(BridgeSession.SubjectClaim)?.Value;
        var session = await sessions.GetCurrentAsync(http, http.RequestAborted);
        if (subject is null || session is null || session.AccountId != subject) return (null, AdminDenial.SessionEnded);
        if (!identity.HasClaim(BridgeSession.RoleClaim, AccountService.AdminRole)) return (null, AdminDenial.NotAdmin);
        return await IsActiveAdminAsync(subject, http.RequestAborted) ? (subject, null) : (null, AdminDenial.NotAdmin);
    }

    private Task<bool> IsActiveAdminAsync(string accountId, CancellationToken ct) =>
        db.Accounts.AnyAsync(a => a.Id == accountId && a.Status == AccountStatus.Active && a.Roles.Any(r => r.Role == AccountService.AdminRole), ct);
}
