using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 5: <c>clients.version</c>, the client's optimistic concurrency token. Two administrators
/// rotating a client's secret at the same moment each read the same secrets, each set the old ones to expire
/// and each added their own secret without expiry: the client ended up with two secrets that never expire, one
/// of them never handed to its operators. Every change to a client or its secrets now raises the version, and a
/// change read at an older version is refused.
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261202000005_ClientVersion")]
public sealed class ClientVersion : Migration
{
    protected override void Up(MigrationBuilder m) => m.AddColumn<long>("version", "clients", nullable: false, defaultValue: 0L);

    protected override void Down(MigrationBuilder m) => m.DropColumn("version", "clients");
}
