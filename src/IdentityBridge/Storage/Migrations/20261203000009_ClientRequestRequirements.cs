using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 9: what a client's authorization requests must be, <c>clients.require_pushed_authorization_requests</c>
/// (RFC 9126 §6) and <c>clients.require_signed_request_object</c> (RFC 9101 §10.5), both false for the clients already
/// registered, as the metadata's defaults are.
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261203000009_ClientRequestRequirements")]
public sealed class ClientRequestRequirements : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.AddColumn<bool>("require_pushed_authorization_requests", "clients", nullable: false, defaultValue: false);
        m.AddColumn<bool>("require_signed_request_object", "clients", nullable: false, defaultValue: false);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropColumn("require_signed_request_object", "clients");
        m.DropColumn("require_pushed_authorization_requests", "clients");
    }
}
