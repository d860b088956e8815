using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 8: a client's Front-Channel Logout 1.0 registration (§2), <c>clients.front_channel_logout_uri</c>
/// (none for the clients already registered) and <c>clients.front_channel_logout_session_required</c> (false, the
/// default of <c>frontchannel_logout_session_required</c>).
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261203000008_FrontChannelLogout")]
public sealed class FrontChannelLogout : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.AddColumn<string>("front_channel_logout_uri", "clients", nullable: true);
        m.AddColumn<bool>("front_channel_logout_session_required", "clients", nullable: false, defaultValue: false);
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropColumn("front_channel_logout_session_required", "clients");
        m.DropColumn("front_channel_logout_uri", "clients");
    }
}
