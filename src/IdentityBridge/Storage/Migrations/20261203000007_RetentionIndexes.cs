using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>
/// Schema version 7: the instants the hourly purge (<c>DatabaseRetention</c>) selects by are indexed, so that
/// each run reads only the rows it deletes instead of every session, sign-in request, webhook delivery and user
/// token: <c>sessions.expires_at</c>, <c>signin_requests.expires_at</c>, <c>webhook_deliveries.received_at</c>
/// and <c>user_tokens.expires_at</c>. On a database that grew before the purge existed, the first runs delete
/// the backlog batch by batch.
/// </summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261203000007_RetentionIndexes")]
public sealed class RetentionIndexes : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateIndex("ix_sessions_expires_at", "sessions", "expires_at");
        m.CreateIndex("ix_signin_requests_expires_at", "signin_requests", "expires_at");
        m.CreateIndex("ix_webhook_deliveries_received_at", "webhook_deliveries", "received_at");
        m.CreateIndex("ix_user_tokens_expires_at", "user_tokens", "expires_at");
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropIndex("ix_user_tokens_expires_at", "user_tokens");
        m.DropIndex("ix_webhook_deliveries_received_at", "webhook_deliveries");
        m.DropIndex("ix_signin_requests_expires_at", "signin_requests");
        m.DropIndex("ix_sessions_expires_at", "sessions");
    }
}
