using System.Data.Common;
using IdentityBridge.Audit;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Provider;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Audit;

/// <summary>
/// The audit writer stores its batches (up to hundreds of rows at once) through a connection of its own
/// (<see cref="AuditStore"/>), never through the pool of contexts that request work leases from: a pooled context
/// keeps what its largest batch allocated, and a flood of failed client authentications (each an audit event) once
/// left the pooled contexts holding some 300 MB of parameters and change-tracking state, for good. The store writes
/// without Entity Framework, so these tests check that each column arrives as the entity model reads it back.
/// Both suites run them: on SQLite and on PostgreSQL.
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

    [Fact]
    public async Task Every_field_is_read_back_through_the_model_as_it_was_written()
    {
        var store = host.Services.GetRequiredService<AuditStore>();
        var type = "test.fields_" + Guid.NewGuid().ToString("N")[..8];
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_796_000_123_456);
        var full = new AuditEvent
        {
            Time = time,
            Type = type,
            Actor = "acc-ÿ-名前",
            AccountId = "acc-1",
            ClientId = "client-1",
            Success = false,
            Reason = "invalid_grant: 'quoted' \"and\" ; -- not SQL",
            RemoteIp = "2001:db8::1",
            RequestId = "0HN-request",
            Details = """{"scope":"openid profile","emoji":"🔑"}""",
        };
        var bare = new AuditEvent { Time = time.AddMilliseconds(1), Type = type, Actor = "system" };

        await store.StoreAsync([full, bare]);

        var stored = await host.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Type == type).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(2, stored.Count);
        var (first, second) = (stored[0], stored[1]);
        Assert.Equal(time, first.Time);
        Assert.Equal(full.Actor, first.Actor);
        Assert.Equal("acc-1", first.AccountId);
        Assert.Equal("client-1", first.ClientId);
        Assert.False(first.Success);
        Assert.Equal(full.Reason, first.Reason);
        Assert.Equal("2001:db8::1", first.RemoteIp);
        Assert.Equal("0HN-request", first.RequestId);
        Assert.Equal(full.Details, first.Details);
        Assert.Equal(time.AddMilliseconds(1), second.Time);
        Assert.True(second.Success);
        // The optional columns of the bare event stay NULL, not empty strings.
        Assert.All([second.AccountId, second.ClientId, second.Reason, second.RemoteIp, second.RequestId, second.Details], Assert.Null);
    }

    [Fact]
    public async Task A_batch_is_numbered_in_the_order_of_its_events()
    {
        var store = host.Services.GetRequiredService<AuditStore>();
        var type = "test.order_" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;

        await store.StoreAsync([.. Enumerable.Range(0, 300).Select(i => new AuditEvent { Time = now, Type = type, Actor = "a", Reason = i.ToString("D3") })]);

        var reasons = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == type).OrderBy(e => e.Id).Select(e => e.Reason!).ToListAsync());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString("D3")), reasons);
    }

    [Fact]
    public async Task A_batch_with_a_row_the_database_refuses_stores_none_of_its_rows()
    {
        var store = host.Services.GetRequiredService<AuditStore>();
        var type = "test.atomic_" + Guid.NewGuid().ToString("N")[..8];
        var now = DateTimeOffset.UtcNow;
        // The actor column is NOT NULL on both databases: the third row breaks the batch.
        AuditEvent[] batch =
        [
            new() { Time = now, Type = type, Actor = "a" },
            new() { Time = now, Type = type, Actor = "b" },
            new() { Time = now, Type = type, Actor = null! },
            new() { Time = now, Type = type, Actor = "d" },
        ];

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => store.StoreAsync(batch));

        Assert.True(AuditStore.IsStorageFailure(failure), failure.ToString());
        Assert.Equal(0, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Type == type)));
    }

    [Fact]
    public async Task The_writer_goes_on_after_a_batch_the_database_refused()
    {
        var queue = host.Services.GetRequiredService<AuditQueue>();
        var audit = host.Services.GetRequiredService<AuditLog>();
        var type = "test.after_" + Guid.NewGuid().ToString("N")[..8];

        queue.Enqueue(new AuditEvent { Time = DateTimeOffset.UtcNow, Type = type, Actor = null! });
        await audit.FlushAsync();
        await audit.WriteAsync(type, "client-after", success: true);
        await audit.FlushAsync();

        Assert.Equal(["client-after"], await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Type == type).Select(e => e.Actor).ToListAsync()));
    }

    [Fact]
    public async Task Events_reach_the_database_without_a_flush()
    {
        var audit = host.Services.GetRequiredService<AuditLog>();
        var type = "test.unflushed_" + Guid.NewGuid().ToString("N")[..8];

        await audit.WriteAsync(type, "client-unflushed");

        // The writer gathers a batch for a moment, then stores it: no reader has to ask.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Type == type)) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the event was not stored within 10 s");
            await Task.Delay(20);
        }
    }
}
