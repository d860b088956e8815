using System.Collections;
using System.Data.Common;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Refresh token rotations sent together (PostgreSQL, <see cref="RotationBatcher"/>) each keep the outcome a
/// rotation of their own would have had: a successor for every token consumed, none for a token used, expired,
/// revoked or of another client, one winner among rotations of the same token, and a failure only for the rotation
/// that causes it. On SQLite every rotation is its own transaction; the outcomes are the same and no batch is sent.
/// </summary>
public sealed class RotationBatchTests(RotationBatchTests.Host host) : IClassFixture<RotationBatchTests.Host>
{
    public sealed class Host : ProviderHost
    {
        public Host() => MoreServices = s => s.ConfigureDbContext<BridgeDbContext>(o => o.AddInterceptors(Rotations));

        public RotationHook Rotations { get; } = new();
    }

    /// <summary>Holds the next batch statement at the database until released; refuses the statements that consume a given key.</summary>
    public sealed class RotationHook : DbCommandInterceptor
    {
        private TaskCompletionSource? _held;
        private TaskCompletionSource? _release;

        public string? RefusedKey { get; set; }

        /// <summary>Completes when the next batch statement has reached the hook (PostgreSQL only).</summary>
        public Task HoldNext()
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _held.Task;
        }

        public void Release() => _release?.TrySetResult();

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("unnest(", StringComparison.Ordinal))
            {
                Refuse(command);
                if (Interlocked.Exchange(ref _held, null) is { } held)
                {
                    held.SetResult();
                    await _release!.Task;
                }
            }
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("SET consumed_at", StringComparison.Ordinal)) Refuse(command);
            return ValueTask.FromResult(result);
        }

        private void Refuse(DbCommand command)
        {
            if (RefusedKey is not { } refused) return;
            foreach (DbParameter parameter in command.Parameters)
                if (Equals(parameter.Value, refused) || (parameter.Value is IEnumerable values and not string && values.Cast<object?>().Contains(refused)))
                    throw new InvalidOperationException("The test refuses this statement.");
        }
    }

    private GrantStore Store => host.Services.GetRequiredService<GrantStore>();

    private RotationBatcher Batcher => host.Services.GetRequiredService<RotationBatcher>();

    [Fact]
    public async Task Rotations_that_wait_for_a_batch_in_flight_go_as_one_statement_and_each_gets_its_own_successor()
    {
        var tokens = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => NewTokenAsync()));
        var before = Batcher.Statements;

        var (first, waiting) = await WhileOneIsInFlightAsync(tokens[0], () => tokens.Skip(1).Select(t => RotateAsync(t)).ToArray());

        var successors = await Task.WhenAll([first, .. waiting]);
        // Two statements on PostgreSQL: the first rotation's, then the four that waited for it, together.
        Assert.Equal(TestDatabase.IsPostgres ? 2 : 0, Batcher.Statements - before);
        for (var i = 0; i < tokens.Length; i++)
        {
            Assert.NotNull(successors[i]);
            var successor = await GrantAsync(successors[i]!);
            Assert.Equal(tokens[i].Family, successor.FamilyId);
            Assert.Null(successor.ConsumedAt);
            Assert.Null(successor.RevokedAt);
            Assert.NotNull((await GrantAsync(tokens[i].Handle)).ConsumedAt);
        }
    }

    [Fact]
    public async Task Of_rotations_of_one_token_in_one_batch_exactly_one_of_its_client_wins()
    {
        var other = await NewTokenAsync();
        var token = await NewTokenAsync();

        var (first, waiting) = await WhileOneIsInFlightAsync(other, () =>
            [RotateAsync(token), RotateAsync(token), RotateAsync(token with { Client = TestClients.Other })]);

        Assert.NotNull(await first);
        var outcomes = await Task.WhenAll(waiting);
        Assert.Single(outcomes, o => o is not null);
        Assert.Null(outcomes[2]);
        var family = await host.WithDbAsync(db => db.Grants.Where(g => g.FamilyId == token.Family).ToListAsync());
        Assert.Equal(2, family.Count);
    }

    [Fact]
    public async Task A_batch_stores_successors_only_for_the_tokens_it_may_consume()
    {
        var first = await NewTokenAsync();
        var valid = await NewTokenAsync();
        var used = await NewTokenAsync();
        Assert.NotNull(await RotateAsync(used));
        var expired = await NewTokenAsync(lifetime: TimeSpan.FromMinutes(1));
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var revoked = await NewTokenAsync();
        await Store.RevokeFamilyAsync(revoked.Family);

        var (inFlight, waiting) = await WhileOneIsInFlightAsync(first, () =>
            [RotateAsync(valid), RotateAsync(used), RotateAsync(expired), RotateAsync(revoked), RotateAsync(valid with { Client = TestClients.Other })]);

        Assert.NotNull(await inFlight);
        var outcomes = await Task.WhenAll(waiting);
        Assert.NotNull(outcomes[0]);
        Assert.All(outcomes[1..], o => Assert.Null(o));
        foreach (var token in new[] { expired, revoked })
            Assert.Equal(1, await host.WithDbAsync(db => db.Grants.CountAsync(g => g.FamilyId == token.Family && g.Type == GrantTypes.RefreshToken)));
    }

    [Fact]
    public async Task The_successor_of_a_token_whose_family_was_revoked_as_it_was_read_is_stored_revoked()
    {
        // The family was revoked after the token was read and before its rotation, and the token's own row was
        // stored too late for the revocation to mark it (see FamilyRevocationTests): the successor is stored revoked.
        var first = await NewTokenAsync();
        var token = await NewTokenAsync();
        await Store.RevokeFamilyAsync(token.Family);
        var key = TokenHashes.Key(token.Handle);
        await host.WithDbAsync(db => db.Grants.Where(g => g.Key == key).ExecuteUpdateAsync(u => u.SetProperty(g => g.RevokedAt, (DateTimeOffset?)null)));

        var (inFlight, waiting) = await WhileOneIsInFlightAsync(first, () => [RotateAsync(token)]);

        Assert.NotNull(await inFlight);
        var successor = await GrantAsync(Assert.Single(await Task.WhenAll(waiting))!);
        Assert.NotNull(successor.RevokedAt);
    }

    [Fact]
    public async Task A_rotation_the_database_refuses_fails_alone_and_the_others_of_its_batch_are_stored()
    {
        var first = await NewTokenAsync();
        var refused = await NewTokenAsync();
        var others = await Task.WhenAll(NewTokenAsync(), NewTokenAsync());
        var before = Batcher.Statements;
        host.Rotations.RefusedKey = TokenHashes.Key(refused.Handle);
        try
        {
            var (inFlight, waiting) = await WhileOneIsInFlightAsync(first, () => [RotateAsync(others[0]), RotateAsync(refused), RotateAsync(others[1])]);

            Assert.NotNull(await inFlight);
            Assert.NotNull(await waiting[0]);
            await Assert.ThrowsAsync<InvalidOperationException>(() => waiting[1]);
            Assert.NotNull(await waiting[2]);
            // The first rotation's statement, the refused batch, then each of its three again on its own.
            Assert.Equal(TestDatabase.IsPostgres ? 5 : 0, Batcher.Statements - before);
        }
        finally
        {
            host.Rotations.RefusedKey = null;
        }
        // Nothing of the refused rotation was committed: its token still rotates.
        Assert.Null((await GrantAsync(refused.Handle)).ConsumedAt);
        Assert.NotNull(await RotateAsync(refused));
    }

    private sealed record Token(string Handle, string Family, string Client);

    private async Task<Token> NewTokenAsync(TimeSpan? lifetime = null)
    {
        var family = Guid.NewGuid().ToString("N");
        var now = host.Clock.GetUtcNow();
        var handle = await Store.CreateRefreshTokenAsync(TestClients.Web, "account-" + family, family, Data(now), now + (lifetime ?? TimeSpan.FromDays(1)));
        return new Token(handle, family, TestClients.Web);
    }

    private Task<string?> RotateAsync(Token token)
    {
        var now = host.Clock.GetUtcNow();
        return Store.RotateRefreshTokenAsync(TokenHashes.Key(token.Handle), GrantTypes.RefreshToken, token.Client, "account-" + token.Family, token.Family,
            Data(now), now + TimeSpan.FromDays(1));
    }

    /// <summary>
    /// Starts the rotation of <paramref name="first"/>, and on PostgreSQL holds its statement at the database while
    /// <paramref name="more"/> starts the others, so that they wait for it and go together as the next batch. On
    /// SQLite the first has finished before the others start.
    /// </summary>
    private async Task<(Task<string?> First, Task<string?>[] Waiting)> WhileOneIsInFlightAsync(Token first, Func<Task<string?>[]> more)
    {
        if (!TestDatabase.IsPostgres)
        {
            var done = await RotateAsync(first);
            return (Task.FromResult(done), more());
        }
        var held = host.Rotations.HoldNext();
        var inFlight = RotateAsync(first);
        await held.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            // Each call has queued its rotation when it returns (nothing before the queue awaits).
            return (inFlight, more());
        }
        finally
        {
            host.Rotations.Release();
        }
    }

    private Task<IdentityBridge.Storage.Entities.Grant> GrantAsync(string handle)
    {
        var key = TokenHashes.Key(handle);
        return host.WithDbAsync(db => db.Grants.AsNoTracking().SingleAsync(g => g.Key == key));
    }

    private static RefreshTokenData Data(DateTimeOffset now) =>
        new(["openid", "offline_access"], new LoginFacts("session-1", now, "xumm", null, "rTestWallet", "MAINNET"), now, null, true);
}
