using IdentityBridge.Clients;
using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace IdentityBridge.Tests.Foundation;

/// <summary>
/// Clients declared in configuration are imported at every start: a change to a declaration reaches the
/// database, and an unchanged declaration writes nothing (the start-up check answers it with a read).
/// </summary>
public sealed class ClientImportTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly string _database = TestDatabase.CreateDatabase();

    private BridgeDbContext Context()
    {
        var builder = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(builder,
            new DatabaseConnection(TestDatabase.IsPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, _database));
        return new BridgeDbContext(builder.Options);
    }

    private async Task ImportAsync(ClientDefinition definition)
    {
        await using var db = Context();
        await new ClientImporter(db, _clock, NullLogger<ClientImporter>.Instance).ImportAsync([definition]);
    }

    private async Task<Storage.Entities.Client> StoredAsync()
    {
        await using var db = Context();
        return await db.Clients.AsNoTracking().Include(c => c.Secrets).SingleAsync(c => c.ClientId == "desk");
    }

    private static ClientDefinition Desk(string secret = "desk-secret-0123456789", params string[] redirects) => new()
    {
        ClientId = "desk",
        ClientSecret = secret,
        RedirectUris = redirects.Length == 0 ? ["https://desk.example/cb"] : [.. redirects],
    };

    [Fact]
    public async Task A_changed_declaration_is_written_and_an_unchanged_one_is_left_alone()
    {
        await using (var db = Context()) await db.Database.MigrateAsync();
        await ImportAsync(Desk());
        var first = await StoredAsync();

        _clock.Advance(TimeSpan.FromMinutes(5));
        await ImportAsync(Desk());
        var unchanged = await StoredAsync();
        Assert.Equal(first.UpdatedAt, unchanged.UpdatedAt);
        Assert.Equal(first.Secrets.Single().Hash, unchanged.Secrets.Single().Hash);

        _clock.Advance(TimeSpan.FromMinutes(5));
        await ImportAsync(Desk(redirects: ["https://desk.example/cb", "https://desk.example/cb2"]));
        var moved = await StoredAsync();
        Assert.Contains("https://desk.example/cb2", moved.RedirectUris);
        Assert.Equal(_clock.GetUtcNow(), moved.UpdatedAt);

        await ImportAsync(Desk(secret: "another-secret-0123456789", redirects: ["https://desk.example/cb", "https://desk.example/cb2"]));
        var rotated = await StoredAsync();
        Assert.True(ClientSecretHasher.Verify("another-secret-0123456789", rotated.Secrets.Single().Hash));
    }

    [Fact]
    public async Task A_client_declared_public_keeps_no_secret_an_administrator_gave_it()
    {
        // An administrator made the declared public client confidential and gave it a secret; the next start's
        // import makes it public again, as declared. The secret must go with it: kept, it would authenticate
        // again as soon as anyone switched the client back to a secret-based method.
        await using (var db = Context()) await db.Database.MigrateAsync();
        await ImportAsync(Desk(secret: "admin-secret-0123456789"));
        Assert.Single((await StoredAsync()).Secrets);

        _clock.Advance(TimeSpan.FromMinutes(5));
        await ImportAsync(new ClientDefinition { ClientId = "desk", ClientType = Storage.Entities.ClientTypes.Public, RedirectUris = ["https://desk.example/cb"] });

        var stored = await StoredAsync();
        Assert.Equal(Storage.Entities.ClientTypes.Public, stored.ClientType);
        Assert.Equal("none", stored.TokenEndpointAuthMethod);
        Assert.Empty(stored.Secrets);
    }

    [Fact]
    public async Task New_and_stored_clients_are_imported_together_and_a_twice_declared_client_once()
    {
        await using (var db = Context()) await db.Database.MigrateAsync();
        await ImportAsync(Desk());

        // One import with a stored client that changed, a new one, and the new one declared a second time:
        // the last declaration of an id wins, and each id is one row.
        _clock.Advance(TimeSpan.FromMinutes(5));
        var kiosk = new ClientDefinition { ClientId = "kiosk", ClientSecret = "kiosk-secret-0123456789", RedirectUris = ["https://kiosk.example/cb"] };
        var kioskAgain = new ClientDefinition { ClientId = "kiosk", ClientSecret = "kiosk-secret-9876543210", RedirectUris = ["https://kiosk.example/cb2"] };
        await using (var db = Context())
        {
            var imported = await new ClientImporter(db, _clock, NullLogger<ClientImporter>.Instance)
                .ImportAsync([Desk(redirects: ["https://desk.example/cb3"]), kiosk, kioskAgain]);
            Assert.Equal(3, imported);
        }

        Assert.Contains("https://desk.example/cb3", (await StoredAsync()).RedirectUris);
        await using (var db = Context())
        {
            var stored = await db.Clients.AsNoTracking().Include(c => c.Secrets).Where(c => c.ClientId == "kiosk").ToListAsync();
            var only = Assert.Single(stored);
            Assert.Contains("https://kiosk.example/cb2", only.RedirectUris);
            Assert.DoesNotContain("https://kiosk.example/cb\"", only.RedirectUris);
            Assert.True(ClientSecretHasher.Verify("kiosk-secret-9876543210", Assert.Single(only.Secrets).Hash));
        }
    }

    /// <summary>An importer whose first save is preceded by <paramref name="meanwhile"/>: another node importing at the same moment.</summary>
    private async Task<int> ImportRacingAsync(ClientDefinition definition, Func<Task> meanwhile, bool storeIsEmpty = false)
    {
        var builder = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(builder,
            new DatabaseConnection(TestDatabase.IsPostgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, _database));
        builder.AddInterceptors(new BeforeFirstSave(meanwhile));
        await using var db = new BridgeDbContext(builder.Options);
        return await new ClientImporter(db, _clock, NullLogger<ClientImporter>.Instance).ImportAsync([definition], storeIsEmpty: storeIsEmpty);
    }

    [Fact]
    public async Task Two_nodes_importing_a_changed_declaration_at_the_same_moment_both_start()
    {
        await using (var db = Context()) await db.Database.MigrateAsync();
        await ImportAsync(Desk());
        _clock.Advance(TimeSpan.FromMinutes(5));
        var changed = Desk(secret: "desk-secret-changed-0123", redirects: ["https://desk.example/cb", "https://desk.example/cb4"]);

        // Both read the stored client; the other node saves first, which bumps its version.
        var imported = await ImportRacingAsync(changed, () => ImportAsync(changed));

        Assert.Equal(1, imported);
        var stored = await StoredAsync();
        Assert.Contains("https://desk.example/cb4", stored.RedirectUris);
        Assert.True(ClientSecretHasher.Verify("desk-secret-changed-0123", Assert.Single(stored.Secrets).Hash));
    }

    [Fact]
    public async Task Two_nodes_adding_the_same_new_declaration_at_the_same_moment_both_start()
    {
        await using (var db = Context()) await db.Database.MigrateAsync();

        // The first start of two nodes on a new database: both find no client, the other inserts it first.
        var imported = await ImportRacingAsync(Desk(), () => ImportAsync(Desk()), storeIsEmpty: true);

        Assert.Equal(1, imported);
        Assert.True(ClientSecretHasher.Verify("desk-secret-0123456789", Assert.Single((await StoredAsync()).Secrets).Hash));
    }
}
