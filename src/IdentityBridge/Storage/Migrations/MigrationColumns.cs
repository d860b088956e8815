using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Column helpers for the hand-written migrations. Types are left to each provider's type mapping
/// (no provider-specific type names), so SQLite and PostgreSQL get the same logical schema.
/// </summary>
internal static class MigrationColumns
{
    /// <summary>An auto-incremented 64-bit key on both providers.</summary>
    public static OperationBuilder<AddColumnOperation> Identity(this ColumnsBuilder t) =>
        t.Column<long>(nullable: false)
            .Annotation("Sqlite:Autoincrement", true)
            .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);

    public static OperationBuilder<AddColumnOperation> Text(this ColumnsBuilder t, int? maxLength = null, bool nullable = false) =>
        t.Column<string>(maxLength: maxLength, nullable: nullable);

    /// <summary>An instant, stored as Unix milliseconds.</summary>
    public static OperationBuilder<AddColumnOperation> Instant(this ColumnsBuilder t, bool nullable = false) =>
        t.Column<long>(nullable: nullable);

    public static OperationBuilder<AddColumnOperation> Flag(this ColumnsBuilder t) => t.Column<bool>(nullable: false);

    public static OperationBuilder<AddColumnOperation> Number(this ColumnsBuilder t) => t.Column<int>(nullable: false);
}
