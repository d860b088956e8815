using System.Net;
using System.Text.Json;
using IdentityBridge.Audit;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// What one client's authorization requests must be, whatever the deployment requires of the others:
/// pushed (require_pushed_authorization_requests, RFC 9126 §6) or signed request objects
/// (require_signed_request_object, RFC 9101 §10.5), sent at the authorize endpoint or pushed.
/// </summary>
public sealed class ClientRequirementTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    /// <summary>The name under which a pushed request remembers that it was a request object; never taken from a request.</summary>
    private const string Marker = "bridge:request_object";

    [Fact]
    public async Task A_client_that_requires_pushing_is_refused_a_request_that_was_not_pushed_and_others_are_not()
    {
        await RequireAsync(TestClients.Web, pushed: true);
        var driver = new OidcDriver(host);
        var p = driver.Params();

        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));

        // As with Bridge:PushedAuthorization:Required: the redirect URI is trusted, so the error goes back to it.
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);
        var requestUri = await PushedAuthorizationTests.PushedAsync(driver, driver.Params());
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Web, ["request_uri"] = requestUri });
        Assert.True(OidcDriver.Callback(response).ContainsKey("code"), response.Headers.Location?.OriginalString);

        var other = await driver.AuthorizeSignedInAsync(driver.Params(TestClients.Other));
        Assert.True(OidcDriver.Callback(other).ContainsKey("code"), other.Headers.Location?.OriginalString);
        // RFC 9126 §5: discovery keeps saying what the deployment requires of every client.
        var discovery = JsonDocument.Parse(await host.CreateApiClient().GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.False(discovery.GetProperty("require_pushed_authorization_requests").GetBoolean());
        await RequireAsync(TestClients.Web, pushed: false);
    }

    [Fact]
    public async Task A_client_that_requires_request_objects_is_refused_a_plain_request_at_authorize_and_at_par()
    {
        await RequireAsync(TestClients.Jwt, signed: true);
        var driver = new OidcDriver(host);
        var p = driver.Params(TestClients.Jwt);

        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal(p["state"], callback["state"]);

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await RequestObjects.PushAsync(host, driver, driver.Params(TestClients.Jwt)), HttpStatusCode.BadRequest, "invalid_request"));
        Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused && e.ClientId == TestClients.Jwt);
    }

    [Fact]
    public async Task A_client_that_requires_request_objects_signs_in_with_one_at_authorize_or_pushed()
    {
        await RequireAsync(TestClients.Jwt, signed: true);
        var driver = new OidcDriver(host);

        // Through the login, which resumes the request with the object's parameters.
        var claims = RequestObjects.Claims(host, driver);
        var response = await driver.AuthorizeSignedInAsync(RequestObjects.Query(RequestObjects.Sign(claims)));
        var callback = OidcDriver.Callback(response);
        Assert.True(callback.ContainsKey("code"), response.Headers.Location?.OriginalString);
        Assert.Equal(claims["state"], callback["state"]);

        var pushed = await OidcDriver.Json(await RequestObjects.PushAsync(host, driver,
            new Dictionary<string, string> { ["request"] = RequestObjects.Sign(RequestObjects.Claims(host, driver)) }), HttpStatusCode.Created);
        var viaPar = await driver.AuthorizeSignedInAsync(new Dictionary<string, string>
        {
            ["client_id"] = TestClients.Jwt, ["request_uri"] = pushed.GetProperty("request_uri").GetString()!,
        });
        Assert.True(OidcDriver.Callback(viaPar).ContainsKey("code"), viaPar.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_signed_request_of_a_client_that_requires_them_goes_through_its_consent_page()
    {
        await RequireAsync(TestClients.Jwt, signed: true);
        await host.UpdateClientAsync(TestClients.Jwt, c => c.RequireConsent = true);
        try
        {
            var driver = new OidcDriver(host);
            var claims = RequestObjects.Claims(host, driver, scope: "openid");
            var consent = await ConsentTests.ToConsentAsync(driver, RequestObjects.Query(RequestObjects.Sign(claims)));

            var resumed = await ConsentTests.DecideAsync(driver, consent, "allow");
            var code = await driver.Browser.GetAsync(resumed.Headers.Location!.OriginalString);

            var callback = OidcDriver.Callback(code);
            Assert.True(callback.ContainsKey("code"), code.Headers.Location?.OriginalString);
            Assert.Equal(claims["state"], callback["state"]);
        }
        finally
        {
            await host.UpdateClientAsync(TestClients.Jwt, c => c.RequireConsent = false);
        }
    }

    [Fact]
    public async Task The_marker_of_a_pushed_request_object_cannot_be_sent_in_a_plain_push_or_query()
    {
        await RequireAsync(TestClients.Jwt, signed: false);
        var driver = new OidcDriver(host);
        var plain = driver.Params(TestClients.Jwt);
        plain[Marker] = "1";
        var pushed = await OidcDriver.Json(await RequestObjects.PushAsync(host, driver, plain), HttpStatusCode.Created);
        var requestUri = pushed.GetProperty("request_uri").GetString()!;
        Assert.DoesNotContain(Marker, (await PushedAuthorizationTests.SentParametersAsync(host, "?request_uri=" + Uri.EscapeDataString(requestUri))).Keys);

        await RequireAsync(TestClients.Jwt, signed: true);
        var viaPar = await driver.AuthorizeSignedInAsync(new Dictionary<string, string> { ["client_id"] = TestClients.Jwt, ["request_uri"] = requestUri });
        Assert.Equal("invalid_request", OidcDriver.Callback(viaPar)["error"]);

        var query = driver.Params(TestClients.Jwt);
        query[Marker] = "1";
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeSignedInAsync(query))["error"]);
    }

    [Fact]
    public async Task The_proof_that_a_resumed_request_was_signed_holds_for_that_request_and_not_for_long()
    {
        await RequireAsync(TestClients.Jwt, signed: true);
        var driver = new OidcDriver(host);
        var login = await driver.AuthorizeAsync(RequestObjects.Query(RequestObjects.Sign(RequestObjects.Claims(host, driver))));
        var location = login.Headers.Location!.OriginalString;
        Assert.StartsWith("/login?", location, StringComparison.Ordinal);
        var resumed = QueryHelpers.ParseQuery(QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["returnUrl"].ToString()[("/connect/authorize".Length)..])
            .ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.True(resumed.ContainsKey(Marker), location);

        // Another request with the same proof is not one the bridge read from an object.
        var changed = new Dictionary<string, string>(resumed) { ["scope"] = "openid" };
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(changed))["error"]);

        // Past a login and a consent, the proof has lapsed.
        host.Clock.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal("invalid_request", OidcDriver.Callback(await driver.AuthorizeAsync(resumed))["error"]);
    }

    private Task RequireAsync(string clientId, bool? pushed = null, bool? signed = null) =>
        host.UpdateClientAsync(clientId, c =>
        {
            if (pushed is { } p) c.RequirePushedAuthorizationRequests = p;
            if (signed is { } s) c.RequireSignedRequestObject = s;
        });
}
