using System.Text;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Storage;

/// <summary>Maps every column, key and index to snake_case, the migrations' naming.</summary>
internal static class SnakeCaseNames
{
    public static void Apply(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnake(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(key.IsPrimaryKey() ? $"pk_{table}" : $"ak_{table}_{string.Join('_', key.Properties.Select(p => ToSnake(p.Name)))}");
            foreach (var fk in entity.GetForeignKeys())
                fk.SetConstraintName($"fk_{table}_{fk.PrincipalEntityType.GetTableName()}");
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName($"ix_{table}_{string.Join('_', index.Properties.Select(p => ToSnake(p.Name)))}");
        }
    }

    public static string ToSnake(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && !char.IsUpper(name[i - 1])) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
