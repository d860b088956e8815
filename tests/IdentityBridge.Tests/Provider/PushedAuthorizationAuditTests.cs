using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Refused pushed authorization requests (RFC 9126 §2.3) leave one <c>par.refused</c> event each, as refused token
/// requests do: the error and the reason, the client, never a secret, an assertion or a parameter's value.
/// </summary>
public sealed class PushedAuthorizationAuditTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string ParUrl = "http://localhost/connect/par";

    [Fact]
    public async Task A_wrong_basic_secret_is_audited_with_the_client_id_tried_and_without_the_secret()
    {
        const string wrong = "not-the-web-secret-9c1e";
        var driver = new OidcDriver(host);

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await PushedAuthorizationTests.PushAsync(driver, driver.Params(), basicSecret: wrong), HttpStatusCode.Unauthorized, "invalid_client"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.False(refused.Success);
        Assert.Equal(TestClients.Web, refused.ClientId);
        Assert.Equal(AuditLog.AnonymousActor, refused.Actor);
        Assert.Equal("invalid_client: Client authentication failed.", refused.Reason);
        AssertNowhere(wrong, events);
    }

    [Fact]
    public async Task An_unknown_client_is_audited_under_the_id_it_presented_with_the_reason_the_answer_hides()
    {
        const string secret = "whatever-secret-4d2b";
        var driver = new OidcDriver(host);
        var p = driver.Params("nobody-here");
        p["client_secret"] = secret;

        var events = await host.AuditEventsDuringAsync(async () =>
        {
            var json = await OidcDriver.Json(await PushedAuthorizationTests.PushAsync(driver, p, basicId: null), HttpStatusCode.BadRequest);
            Assert.Equal("invalid_client", json.GetProperty("error").GetString());
            Assert.Equal("Client authentication failed.", json.GetProperty("error_description").GetString());
        });

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal("nobody-here", refused.ClientId);
        Assert.Equal(AuditLog.AnonymousActor, refused.Actor);
        Assert.Equal("invalid_client: Unknown or disabled client.", refused.Reason);
        AssertNowhere(secret, events);
    }

    [Fact]
    public async Task A_refused_client_assertion_is_audited_without_the_assertion()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Jwt);
        var assertion = ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, "https://other-as.example"));
        p["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
        p["client_assertion"] = assertion;

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await PushedAuthorizationTests.PushAsync(driver, p, basicId: null), HttpStatusCode.BadRequest, "invalid_client"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal(TestClients.Jwt, refused.ClientId);
        Assert.StartsWith("invalid_client: ", refused.Reason, StringComparison.Ordinal);
        AssertNowhere(assertion, events);
        AssertNowhere(assertion.Split('.')[2], events);
    }

    [Theory]
    [InlineData("scope", "openid bridge.admin", "invalid_scope")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("request", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZWNyZXQtcmVxdWVzdCJ9.", "invalid_request_object")]
    [InlineData("request_uri", "urn:ietf:params:oauth:request_uri:abc", "invalid_request")]
    public async Task A_refused_parameter_is_audited_with_the_error_under_the_authenticated_client(string name, string value, string error)
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Post);
        p["client_secret"] = TestClients.PostSecret;
        p[name] = value;
        string? description = null;

        var events = await host.AuditEventsDuringAsync(async () =>
        {
            var json = await OidcDriver.Json(await PushedAuthorizationTests.PushAsync(driver, p, basicId: null), HttpStatusCode.BadRequest);
            Assert.Equal(error, json.GetProperty("error").GetString());
            description = json.GetProperty("error_description").GetString();
        });

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.False(refused.Success);
        Assert.Equal(TestClients.Post, refused.ClientId);
        Assert.Equal(TestClients.Post, refused.Actor);
        Assert.Equal($"{error}: {description}", refused.Reason);
        AssertNowhere(TestClients.PostSecret, events);
        if (name == "request") AssertNowhere(value, events);
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_audited_as_an_anonymous_refusal()
    {
        var driver = new OidcDriver(host);
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par")
        {
            Content = new StringContent("{\"client_id\":\"web\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.Api.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal(AuditLog.AnonymousActor, refused.Actor);
        Assert.Null(refused.ClientId);
        Assert.StartsWith("invalid_request: ", refused.Reason, StringComparison.Ordinal);
        AssertNowhere(TestClients.WebSecret, events);
    }

    [Fact]
    public async Task A_repeated_parameter_is_audited()
    {
        var driver = new OidcDriver(host);
        var form = driver.Params().Append(new KeyValuePair<string, string>("scope", "openid"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.Api.SendAsync(request), HttpStatusCode.BadRequest, "invalid_request"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal("invalid_request: The scope parameter was sent more than once.", refused.Reason);
    }

    [Fact]
    public async Task An_invalid_dpop_proof_is_audited()
    {
        var driver = new OidcDriver(host);
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(driver.Params(TestClients.Spa)) };
        // A proof made for the token endpoint is not one for this request (htu).
        request.Headers.Add("DPoP", DPoPKey.NewEc().Proof(host.Clock, "POST", "http://localhost/connect/token"));

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.Api.SendAsync(request), HttpStatusCode.BadRequest, "invalid_dpop_proof"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal(TestClients.Spa, refused.ClientId);
        Assert.StartsWith("invalid_dpop_proof: ", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dpop_jkt_that_is_not_the_proofs_key_is_audited()
    {
        var driver = new OidcDriver(host);
        var key = DPoPKey.NewEc();
        var p = driver.Params(TestClients.Spa);
        p["dpop_jkt"] = DPoPKey.NewEc().Thumbprint();
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/par") { Content = new FormUrlEncodedContent(p) };
        request.Headers.Add("DPoP", key.Proof(host.Clock, "POST", ParUrl));

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await driver.Api.SendAsync(request), HttpStatusCode.BadRequest, "invalid_dpop_proof"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal("invalid_dpop_proof: dpop_jkt is not the thumbprint of the DPoP proof's key.", refused.Reason);
    }

    [Fact]
    public async Task A_successful_push_is_not_audited_as_a_successful_token_request_is_not()
    {
        // The token endpoint records no event for a request it answers; only an issue of tokens is recorded, by the
        // issuer. A push issues nothing.
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Post);
        p["client_secret"] = TestClients.PostSecret;

        var events = await host.AuditEventsDuringAsync(async () =>
            Assert.Equal(HttpStatusCode.Created, (await PushedAuthorizationTests.PushAsync(driver, p, basicId: null)).StatusCode));

        Assert.Empty(events);
    }

    private static void AssertNowhere(string value, IEnumerable<AuditEvent> events)
    {
        foreach (var e in events)
            Assert.DoesNotContain(value, string.Join('\n', e.Type, e.Actor, e.AccountId, e.ClientId, e.Reason, e.Details), StringComparison.Ordinal);
    }

}
