using System.Data.Common;
using IdentityBridge.Audit;
using IdentityBridge.Storage;
using IdentityBridge.Tests.Provider;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Audit;

/// <summary>
/// The audit writer stores its batches (up to hundreds of rows in one SaveChanges) through contexts of its own,
/// never through the pool that request work leases from: a pooled context keeps what its largest batch
/// allocated, and a flood of failed client authentications (each an audit event) once left the pooled
/// contexts holding some 300 MB of parameters and change-tracking state, for good.
/// </summary>
public sealed class AuditWriterTests(AuditWriterTests.Host host) : IClassFixture<AuditWriterTests.Host>
{
    public sealed class Host : ProviderHost
    {
        public Host() => MoreServices = s => s.ConfigureDbContext<BridgeDbContext>(o => o.AddInterceptors(PooledWrites));

        /// <summary>Sees the statements of the contexts of the request pool.</summary>
        public AuditInsertsSeen PooledWrites { get; } = new();
    }

    public sealed class AuditInsertsSeen : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Observe(command);
            return ValueTask.FromResult(result);
        }

        private void Observe(DbCommand command)
        {
            // SQLite quotes the table's name, PostgreSQL does not.
            if (command.CommandText.Contains("INSERT INTO", StringComparison.Ordinal) && command.CommandText.Contains("audit_events", StringComparison.Ordinal))
                Interlocked.Increment(ref _count);
        }
    }

    [Fact]
    public async Task Audit_batches_are_stored_without_a_context_of_the_request_pool()
    {
        var audit = host.Services.GetRequiredService<AuditLog>();
        await audit.FlushAsync();
        var type = "test.batch_" + Guid.NewGuid().ToString("N")[..8];
        var before = host.PooledWrites.Count;

        await Task.WhenAll(Enumerable.Range(0, 1200).Select(i => audit.WriteAsync(type, "client-" + i % 7, success: false, reason: "invalid_client")));
        await audit.FlushAsync();

        // Every event is stored, and none of them through a pooled context.
        Assert.Equal(1200, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Type == type)));
        Assert.Equal(before, host.PooledWrites.Count);
    }
}
