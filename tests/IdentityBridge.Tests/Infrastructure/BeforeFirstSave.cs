using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// Runs an action to its end when its context first saves, after the context read what it changes:
/// another writer acting at the same moment, deterministically between the read and the write.
/// </summary>
public sealed class BeforeFirstSave(Func<Task> action) : SaveChangesInterceptor
{
    private bool _done;

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (!_done)
        {
            _done = true;
            await action();
        }
        return result;
    }
}
