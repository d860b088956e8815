using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// Runs an action to its end once a save of its context has been committed, no transaction of the context being
/// open: another writer acting between two steps of an operation that each commit, deterministically. An operation
/// that commits once, at its end, gives it no such moment.
/// </summary>
public sealed class AfterCommittedSave(Func<Task> action) : SaveChangesInterceptor
{
    private bool _done;

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (!_done && eventData.Context?.Database.CurrentTransaction is null)
        {
            _done = true;
            await action();
        }
        return result;
    }
}
