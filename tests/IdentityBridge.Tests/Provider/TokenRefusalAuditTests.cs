using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Provider.Endpoints;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

/// <summary>Refused token requests leave one <c>token.refused</c> event each, with the reason and without secrets.</summary>
public sealed class TokenRefusalAuditTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task A_wrong_client_secret_is_audited_with_the_client_id_tried_and_without_the_secret()
    {
        const string wrong = "not-the-web-secret-7f3a";
        var driver = new OidcDriver(host);

        var events = await RefusalsDuringAsync(async () =>
        {
            var response = await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, TestClients.Web, wrong);
            await OidcDriver.AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
        });

        var refused = Assert.Single(events);
        Assert.False(refused.Success);
        Assert.Equal(TestClients.Web, refused.ClientId);
        Assert.StartsWith("invalid_client", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("client_credentials", refused.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, refused.Reason + refused.Details + refused.Actor, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_client_is_audited_under_the_id_it_presented()
    {
        var driver = new OidcDriver(host);
        var events = await RefusalsDuringAsync(async () =>
        {
            var response = await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, "nobody-here", "whatever");
            await OidcDriver.AssertError(response, HttpStatusCode.Unauthorized, "invalid_client");
        });

        var refused = Assert.Single(events);
        Assert.Equal("nobody-here", refused.ClientId);
        Assert.Equal("anonymous", refused.Actor);
    }

    [Fact]
    public async Task Failed_client_authentication_reads_the_same_whether_the_client_exists_while_the_audit_keeps_the_reason()
    {
        var driver = new OidcDriver(host);
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };
        await host.UpdateClientAsync(TestClients.NoPkce, c => c.Enabled = false);
        var descriptions = new List<string>();
        List<AuditEvent> events;
        try
        {
            events = await RefusalsDuringAsync(async () =>
            {
                // The status follows the method the caller used (Basic: 401 with a challenge; credentials in the
                // body: 400), never whether the client exists.
                foreach (var (response, status) in new[]
                         {
                             (await driver.TokenAsync(form, "nobody-at-all", "whatever"), HttpStatusCode.Unauthorized),
                             (await driver.TokenAsync(form, TestClients.NoPkce, "nopkce-secret"), HttpStatusCode.Unauthorized),
                             (await driver.TokenAsync(new Dictionary<string, string>(form) { ["client_id"] = TestClients.Web, ["client_secret"] = TestClients.WebSecret }), HttpStatusCode.BadRequest),
                             (await driver.TokenAsync(new Dictionary<string, string>(form) { ["client_id"] = "nobody-at-all", ["client_secret"] = "whatever" }), HttpStatusCode.BadRequest),
                             (await driver.TokenAsync(form, TestClients.Web, "not-the-secret"), HttpStatusCode.Unauthorized),
                         })
                {
                    var json = await OidcDriver.Json(response, status);
                    Assert.Equal("invalid_client", json.GetProperty("error").GetString());
                    descriptions.Add(json.GetProperty("error_description").GetString()!);
                }
            });
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.NoPkce, c => c.Enabled = true);
        }

        // Unknown, disabled, wrong method, wrong secret: one answer, so an unauthenticated caller learns nothing of which ids exist.
        Assert.Equal("Client authentication failed.", Assert.Single(descriptions.Distinct()));
        Assert.Equal(5, events.Count);
        Assert.All(events.Where(e => e.ClientId == "nobody-at-all"), e => Assert.Contains("Unknown or disabled client", e.Reason, StringComparison.Ordinal));
        Assert.Contains("Unknown or disabled client", events.Single(e => e.ClientId == TestClients.NoPkce).Reason, StringComparison.Ordinal);
        var web = events.Where(e => e.ClientId == TestClients.Web).Select(e => e.Reason ?? "").ToList();
        Assert.Contains(web, r => r.Contains("must authenticate with client_secret_basic", StringComparison.Ordinal));
        Assert.Contains(web, r => r.Contains("Client authentication failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pkce_mismatch_is_audited_as_invalid_grant_with_the_reason_and_without_the_code()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var otherVerifier = new OidcDriver(host).Verifier;

        var events = await RefusalsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.RedeemAsync(code, verifier: otherVerifier), HttpStatusCode.BadRequest, "invalid_grant"));

        var refused = Assert.Single(events);
        Assert.Equal(TestClients.Web, refused.ClientId);
        Assert.Equal(TestClients.Web, refused.Actor);
        Assert.StartsWith("invalid_grant", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("code_verifier does not match", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("authorization_code", refused.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(code, refused.Reason + refused.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(otherVerifier, refused.Reason + refused.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsupported_grant_type_is_audited()
    {
        var driver = new OidcDriver(host);
        var events = await RefusalsDuringAsync(async () =>
            await OidcDriver.AssertError(
                await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "password" }, TestClients.Web, TestClients.WebSecret),
                HttpStatusCode.BadRequest, "unsupported_grant_type"));

        var refused = Assert.Single(events);
        Assert.StartsWith("unsupported_grant_type", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("password", refused.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_client_id_or_grant_type_is_cut_between_characters_not_inside_one()
    {
        // A character outside the BMP (a surrogate pair) straddling the cut: keeping half of it would store a
        // string that is not valid UTF-16, which no UTF-8 column can hold as it was.
        var clientId = new string('c', RefusalAudit.MaxClientId - 1) + "\U0001F600" + "tail";
        var grantType = new string('g', 99) + "\U0001F600" + "tail";
        var driver = new OidcDriver(host);
        var events = await RefusalsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = grantType, ["client_id"] = clientId }),
                HttpStatusCode.Unauthorized, "invalid_client"));

        var refused = Assert.Single(events);
        Assert.Equal(clientId[..(RefusalAudit.MaxClientId - 1)], refused.ClientId);
        var recordedGrantType = System.Text.Json.JsonDocument.Parse(refused.Details!).RootElement.GetProperty("grantType").GetString();
        Assert.Equal(grantType[..99], recordedGrantType);
    }

    [Fact]
    public async Task A_reused_code_leaves_its_own_event_and_no_second_one()
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        await OidcDriver.Json(await driver.RedeemAsync(code), HttpStatusCode.OK);

        var events = await RefusalsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.RedeemAsync(code), HttpStatusCode.BadRequest, "invalid_grant"));

        Assert.Equal("code_reuse", Assert.Single(events).Reason);
    }

    /// <summary>The token.refused events written while <paramref name="action"/> ran.</summary>
    private async Task<List<AuditEvent>> RefusalsDuringAsync(Func<Task> action) =>
        (await host.AuditEventsDuringAsync(action)).Where(e => e.Type == AuditTypes.TokenRefused).ToList();
}
