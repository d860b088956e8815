using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// Reads and moves <c>signin_requests</c>. State changes are conditional updates (pending → resolved,
/// signed → completed), so concurrent paths (websocket, webhook, polling, the browser, the token endpoint)
/// cannot resolve or use one request twice.
/// </summary>
public sealed class SignInRequestStore(BridgeDbContext db, SignInSignals signals)
{
    public async Task AddAsync(SignInRequest request, CancellationToken ct)
    {
        db.SignInRequests.Add(request);
        await db.SaveChangesAsync(ct);
        db.Entry(request).State = EntityState.Detached;
    }

    public Task<SignInRequest?> FindAsync(string? id, CancellationToken ct) =>
        string.IsNullOrEmpty(id) || id.Length > 64
            ? Task.FromResult<SignInRequest?>(null)
            : db.SignInRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);

    public Task<SignInRequest?> FindByPayloadAsync(string payloadUuid, CancellationToken ct) =>
        db.SignInRequests.AsNoTracking().FirstOrDefaultAsync(r => r.PayloadUuid == payloadUuid, ct);

    /// <summary>Records the payload created for a pending request.</summary>
    public Task SetPayloadAsync(string id, string payloadUuid, string kind, SignInRequestData data, CancellationToken ct)
    {
        var json = data.Write();
        return db.SignInRequests.Where(r => r.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.PayloadUuid, payloadUuid).SetProperty(r => r.Kind, kind).SetProperty(r => r.Data, json), ct);
    }

    /// <summary>Rewrites the data of a request still in <paramref name="status"/>; false when its state moved meanwhile.</summary>
    public async Task<bool> UpdateDataAsync(string id, string status, SignInRequestData data, CancellationToken ct)
    {
        var json = data.Write();
        return await db.SignInRequests.Where(r => r.Id == id && r.Status == status)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Data, json), ct) == 1;
    }

    /// <summary>Moves a pending request to <paramref name="status"/>; false when it was no longer pending.</summary>
    public async Task<bool> TryResolveAsync(SignInRequest request, string status, string? wallet, string? network,
        DateTimeOffset resolvedAt, SignInRequestData data, CancellationToken ct)
    {
        var json = data.Write();
        var id = request.Id;
        var changed = await db.SignInRequests.Where(r => r.Id == id && r.Status == SignInStatuses.Pending)
            .ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.Wallet, wallet)
                .SetProperty(r => r.Network, network)
                .SetProperty(r => r.ResolvedAt, resolvedAt)
                .SetProperty(r => r.Data, json), ct) == 1;
        if (changed) signals.Publish(id, status);
        return changed;
    }

    /// <summary>Claims a signed request for use (signed → completed); false when it was not signed or another caller won.</summary>
    public async Task<bool> TryClaimAsync(string id, CancellationToken ct)
    {
        var changed = await db.SignInRequests.Where(r => r.Id == id && r.Status == SignInStatuses.Signed)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, SignInStatuses.Completed), ct) == 1;
        if (changed) signals.Publish(id, SignInStatuses.Completed);
        return changed;
    }

    /// <summary>Ends a signed request that was not used in time (signed → expired); false when it was no longer signed.</summary>
    public async Task<bool> TryExpireSignedAsync(string id, CancellationToken ct)
    {
        var changed = await db.SignInRequests.Where(r => r.Id == id && r.Status == SignInStatuses.Signed)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, SignInStatuses.Expired), ct) == 1;
        if (changed) signals.Publish(id, SignInStatuses.Expired);
        return changed;
    }

    /// <summary>Records the account a claimed request signed in.</summary>
    public Task SetAccountAsync(string id, string accountId, CancellationToken ct) =>
        db.SignInRequests.Where(r => r.Id == id).ExecuteUpdateAsync(u => u.SetProperty(r => r.AccountId, accountId), ct);

    /// <summary>Ends a claimed request that could not be used (the account may not sign in).</summary>
    public async Task FailClaimedAsync(string id, SignInRequestData data, CancellationToken ct)
    {
        var json = data.Write();
        var changed = await db.SignInRequests.Where(r => r.Id == id && r.Status == SignInStatuses.Completed)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, SignInStatuses.Failed).SetProperty(r => r.Data, json), ct) == 1;
        if (changed) signals.Publish(id, SignInStatuses.Failed);
    }
}
