using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityBridge.Storage.Migrations;

/// <summary>Schema version 1: accounts, wallets, clients, grants, sessions, keys, audit.</summary>
[DbContext(typeof(BridgeDbContext))]
[Migration("20261121000001_InitialSchema")]
public sealed class InitialSchema : Migration
{
    protected override void Up(MigrationBuilder m)
    {
        m.CreateTable("accounts", t => new
        {
            id = t.Text(64),
            display_name = t.Text(200, nullable: true),
            email = t.Text(320, nullable: true),
            email_verified = t.Flag(),
            picture = t.Text(2048, nullable: true),
            status = t.Text(16),
            kyc_approved = t.Flag(),
            created_at = t.Instant(),
            updated_at = t.Instant(),
            last_sign_in_at = t.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_accounts", x => x.id));
        m.CreateIndex("ix_accounts_email", "accounts", "email");
        m.CreateIndex("ix_accounts_display_name", "accounts", "display_name");

        m.CreateTable("account_roles", t => new
        {
            account_id = t.Text(64),
            role = t.Text(100),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_account_roles", x => new { x.account_id, x.role });
            t.ForeignKey("fk_account_roles_accounts", x => x.account_id, "accounts", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_account_roles_role", "account_roles", "role");

        m.CreateTable("wallets", t => new
        {
            id = t.Identity(),
            account_id = t.Text(64),
            address = t.Text(40),
            network = t.Text(32, nullable: true),
            linked_at = t.Instant(),
            first_sign_in_at = t.Instant(nullable: true),
            last_sign_in_at = t.Instant(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_wallets", x => x.id);
            t.ForeignKey("fk_wallets_accounts", x => x.account_id, "accounts", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_wallets_address", "wallets", "address", unique: true);
        m.CreateIndex("ix_wallets_account_id", "wallets", "account_id");

        m.CreateTable("clients", t => new
        {
            client_id = t.Text(200),
            client_name = t.Text(200),
            description = t.Text(nullable: true),
            enabled = t.Flag(),
            client_type = t.Text(16),
            redirect_uris = t.Text(),
            post_logout_redirect_uris = t.Text(),
            allowed_scopes = t.Text(),
            allowed_grant_types = t.Text(),
            token_endpoint_auth_method = t.Text(32),
            jwks_json = t.Text(nullable: true),
            require_pkce = t.Flag(),
            require_consent = t.Flag(),
            access_token_lifetime_seconds = t.Number(),
            id_token_lifetime_seconds = t.Number(),
            refresh_token_sliding_lifetime_seconds = t.Number(),
            refresh_token_absolute_lifetime_seconds = t.Number(),
            id_token_signing_alg = t.Text(16),
            subject_type = t.Text(16),
            sector_identifier = t.Text(nullable: true),
            back_channel_logout_uri = t.Text(nullable: true),
            required_network = t.Text(nullable: true),
            provisioning = t.Text(nullable: true),
            sign_in_method = t.Text(nullable: true),
            backchannel_token_delivery_mode = t.Text(nullable: true),
            backchannel_client_notification_endpoint = t.Text(nullable: true),
            created_at = t.Instant(),
            updated_at = t.Instant(),
        }, constraints: t => t.PrimaryKey("pk_clients", x => x.client_id));

        m.CreateTable("client_secrets", t => new
        {
            id = t.Identity(),
            client_id = t.Text(200),
            hash = t.Text(128),
            description = t.Text(nullable: true),
            created_at = t.Instant(),
            expires_at = t.Instant(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_client_secrets", x => x.id);
            t.ForeignKey("fk_client_secrets_clients", x => x.client_id, "clients", "client_id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("ix_client_secrets_client_id", "client_secrets", "client_id");

        m.CreateTable("grants", t => new
        {
            key = t.Text(64),
            type = t.Text(32),
            client_id = t.Text(),
            account_id = t.Text(nullable: true),
            session_id = t.Text(64, nullable: true),
            family_id = t.Text(64, nullable: true),
            created_at = t.Instant(),
            expires_at = t.Instant(),
            consumed_at = t.Instant(nullable: true),
            revoked_at = t.Instant(nullable: true),
            data = t.Text(),
        }, constraints: t => t.PrimaryKey("pk_grants", x => x.key));
        m.CreateIndex("ix_grants_family_id", "grants", "family_id");
        m.CreateIndex("ix_grants_account_id", "grants", "account_id");
        m.CreateIndex("ix_grants_session_id", "grants", "session_id");
        m.CreateIndex("ix_grants_expires_at", "grants", "expires_at");

        m.CreateTable("consents", t => new
        {
            account_id = t.Text(),
            client_id = t.Text(),
            scopes = t.Text(),
            granted_at = t.Instant(),
        }, constraints: t => t.PrimaryKey("pk_consents", x => new { x.account_id, x.client_id }));

        m.CreateTable("sessions", t => new
        {
            id = t.Text(64),
            account_id = t.Text(),
            wallet = t.Text(),
            network = t.Text(nullable: true),
            method = t.Text(),
            acr = t.Text(nullable: true),
            auth_time = t.Instant(),
            last_seen_at = t.Instant(),
            expires_at = t.Instant(),
            ended_at = t.Instant(nullable: true),
            remote_ip = t.Text(nullable: true),
            user_agent = t.Text(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_sessions", x => x.id));
        m.CreateIndex("ix_sessions_account_id", "sessions", "account_id");

        m.CreateTable("session_clients", t => new
        {
            session_id = t.Text(64),
            client_id = t.Text(),
            first_seen_at = t.Instant(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_session_clients", x => new { x.session_id, x.client_id });
            t.ForeignKey("fk_session_clients_sessions", x => x.session_id, "sessions", "id", onDelete: ReferentialAction.Cascade);
        });

        m.CreateTable("signing_keys", t => new
        {
            id = t.Text(64),
            algorithm = t.Text(),
            protected_private_key = t.Text(),
            public_jwk = t.Text(),
            source = t.Text(),
            created_at = t.Instant(),
            activates_at = t.Instant(),
            retires_at = t.Instant(nullable: true),
            expires_at = t.Instant(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_signing_keys", x => x.id));

        m.CreateTable("data_protection_keys", t => new
        {
            id = t.Identity(),
            friendly_name = t.Text(),
            xml = t.Text(),
        }, constraints: t => t.PrimaryKey("pk_data_protection_keys", x => x.id));
        m.CreateIndex("ix_data_protection_keys_friendly_name", "data_protection_keys", "friendly_name", unique: true);

        m.CreateTable("audit_events", t => new
        {
            id = t.Identity(),
            time = t.Instant(),
            type = t.Text(64),
            actor = t.Text(),
            account_id = t.Text(nullable: true),
            client_id = t.Text(nullable: true),
            success = t.Flag(),
            reason = t.Text(nullable: true),
            remote_ip = t.Text(nullable: true),
            request_id = t.Text(nullable: true),
            details = t.Text(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_audit_events", x => x.id));
        m.CreateIndex("ix_audit_events_time", "audit_events", "time");
        m.CreateIndex("ix_audit_events_account_id", "audit_events", "account_id");
        m.CreateIndex("ix_audit_events_client_id", "audit_events", "client_id");
        m.CreateIndex("ix_audit_events_type", "audit_events", "type");
    }

    protected override void Down(MigrationBuilder m)
    {
        foreach (var table in new[] { "audit_events", "data_protection_keys", "signing_keys", "session_clients", "sessions",
                     "consents", "grants", "client_secrets", "clients", "wallets", "account_roles", "accounts" })
            m.DropTable(table);
    }
}
