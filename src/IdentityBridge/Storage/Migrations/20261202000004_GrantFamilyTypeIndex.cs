using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 4: grants are indexed by family and type together. Reading a refresh token, and storing
/// its successor, asks whether its family has a revocation marker; with the index on the family alone that
/// visited every member of the family, and a family grows by one row per rotation (consumed tokens stay
/// until they expire), so the check cost more the longer a refresh token had been in use. The composite
/// index finds the marker directly and serves the lookups by family as the old one did.
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261202000004_GrantFamilyTypeIndex")]
public sealed class GrantFamilyTypeIndex : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateIndex("ix_grants_family_id_type", "grants", ["family_id", "type"]);
        m.DropIndex("ix_grants_family_id", "grants");
    }

    protected override void Down(MigrationBuilder m)
    {
        m.CreateIndex("ix_grants_family_id", "grants", "family_id");
        m.DropIndex("ix_grants_family_id_type", "grants");
    }
}
