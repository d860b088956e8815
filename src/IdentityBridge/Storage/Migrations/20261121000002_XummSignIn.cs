using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>Schema version 2: bridge-hosted sign-in (payloads, push user tokens, webhooks, CIBA).</summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261121000002_XummSignIn")]
public sealed class XummSignIn : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("user_tokens", t => new
        {
            id = t.Identity(),
            account_id = t.Text(),
            wallet = t.Text(),
            token_hash = t.Text(),
            protected_token = t.Text(),
            issued_at = t.Instant(),
            expires_at = t.Instant(),
            revoked_at = t.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_user_tokens", x => x.id));
        m.CreateIndex("ix_user_tokens_token_hash", "user_tokens", "token_hash", unique: true);
        m.CreateIndex("ix_user_tokens_account_id_wallet", "user_tokens", ["account_id", "wallet"]);

        m.CreateTable("webhook_deliveries", t => new
        {
            reference_call_uuid = t.Text(),
            payload_uuid = t.Text(),
            received_at = t.Instant(),
            processed_at = t.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_webhook_deliveries", x => x.reference_call_uuid));
        m.CreateIndex("ix_webhook_deliveries_payload_uuid", "webhook_deliveries", "payload_uuid");

        m.CreateTable("signin_requests", t => new
        {
            id = t.Text(),
            kind = t.Text(),
            payload_uuid = t.Text(nullable: true),
            client_id = t.Text(nullable: true),
            status = t.Text(),
            wallet = t.Text(nullable: true),
            network = t.Text(nullable: true),
            account_id = t.Text(nullable: true),
            created_at = t.Instant(),
            expires_at = t.Instant(),
            resolved_at = t.Instant(nullable: true),
            data = t.Text(),
        }, constraints: t => t.PrimaryKey("pk_signin_requests", x => x.id));
        m.CreateIndex("ix_signin_requests_payload_uuid", "signin_requests", "payload_uuid");
    }

    protected override void Down(MigrationBuilder m)
    {
        m.DropTable("signin_requests");
        m.DropTable("webhook_deliveries");
        m.DropTable("user_tokens");
    }
}
