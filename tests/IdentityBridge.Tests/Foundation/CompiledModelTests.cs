using IdentityBridge.Configuration;
using IdentityBridge.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IdentityBridge.Tests.Foundation;

/// <summary>
/// The bridge starts from EF Core's compiled models (Storage/CompiledModel, written by scripts/compile-model.sh)
/// instead of building its model from <see cref="BridgeDbContext"/>'s configuration. A compiled model is a copy:
/// these tests fail when it no longer matches the configuration it was generated from, on either provider, so
/// that a changed entity cannot ship with a stale model. Fix: run scripts/compile-model.sh.
/// </summary>
public sealed class CompiledModelTests
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    private static BridgeDbContext Context(DatabaseProvider provider, bool compiledModel)
    {
        var connection = new DatabaseConnection(provider,
            provider == DatabaseProvider.Postgres ? "Host=127.0.0.1;Database=unused" : "Data Source=:memory:");
        var builder = new DbContextOptionsBuilder<BridgeDbContext>();
        StorageServiceCollectionExtensions.Configure(builder, connection, compiledModel: compiledModel);
        return new BridgeDbContext(builder.Options);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_bridge_runs_on_the_compiled_model_of_its_provider(DatabaseProvider provider)
    {
        using var db = Context(provider, compiledModel: true);
        Assert.Equal(provider == DatabaseProvider.Postgres ? "Npgsql.EntityFrameworkCore.PostgreSQL" : "Microsoft.EntityFrameworkCore.Sqlite", db.Database.ProviderName);
        Assert.Same(CompiledModels.For(provider), db.Model);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Compiled_model_maps_every_entity_and_property_as_the_configuration_does(DatabaseProvider provider)
    {
        using var configured = Context(provider, compiledModel: false);
        using var compiled = Context(provider, compiledModel: true);

        var expected = Describe(configured.GetService<IDesignTimeModel>().Model);
        var actual = Describe(compiled.Model);

        var stale = actual.Except(expected, StringComparer.Ordinal).Select(line => "compiled:   " + line);
        var missing = expected.Except(actual, StringComparer.Ordinal).Select(line => "configured: " + line);
        var differences = stale.Concat(missing).ToList();
        Assert.True(differences.Count == 0,
            $"The compiled {provider} model is not the one BridgeDbContext configures (run scripts/compile-model.sh):\n"
            + string.Join("\n", differences));
    }

    /// <summary>
    /// The mapping as the runtime uses it: tables and columns with their types, nullability and lengths, keys,
    /// conversions, concurrency tokens, generated values, relationships and indexes. (A compiled model keeps no
    /// design-time data, so EF Core's migrations differ cannot compare it; this list can.)
    /// </summary>
    private static List<string> Describe(IModel model) =>
        [.. model.GetEntityTypes().SelectMany(entity => entity.GetProperties().Select(p =>
                $"{entity.ClrType.Name}.{p.Name}: {p.ClrType.Name} column={entity.GetTableName()}.{p.GetColumnName()} type={p.GetColumnType()} "
                + $"nullable={p.IsNullable} max={p.GetMaxLength()} converter={p.GetTypeMapping().Converter?.GetType().Name} "
                + $"concurrency={p.IsConcurrencyToken} generated={p.ValueGenerated} key={p.IsPrimaryKey()}")
            .Concat(entity.GetForeignKeys().Select(fk =>
                $"{entity.ClrType.Name} FK ({string.Join(',', fk.Properties.Select(p => p.Name))}) -> {fk.PrincipalEntityType.ClrType.Name} delete={fk.DeleteBehavior}"))
            .Concat(entity.GetIndexes().Select(i =>
                $"{entity.ClrType.Name} index {i.GetDatabaseName()} ({string.Join(',', i.Properties.Select(p => p.Name))}) unique={i.IsUnique}")))
            .Order(StringComparer.Ordinal)];
}
