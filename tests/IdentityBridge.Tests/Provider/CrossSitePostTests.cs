using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// A form POST from another site reaches the bridge without the SameSite=Lax session cookie: the bridge
/// answers 303 to the same endpoint by GET, which a browser sends with the cookie. (TestServer does not
/// apply SameSite; a client without cookies plays the cross-site POST. The browser itself is in the
/// end-to-end suite.)
/// </summary>
public sealed class CrossSitePostTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    // Reserved, non-ASCII and space characters: the GET must carry them re-encoded, not copied.
    private const string AwkwardState = "a b&c=d+e/f?g#h%2F é—✓";

    [Fact]
    public async Task A_cookieless_authorize_post_is_sent_on_as_a_get_which_sees_the_session()
    {
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var p = driver.Params();
        p["prompt"] = "none";
        p["state"] = AwkwardState;

        var posted = await driver.Api.PostAsync("/connect/authorize", new FormUrlEncodedContent(p));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.Equal("no-store", posted.Headers.CacheControl?.ToString());
        var location = posted.Headers.Location!.OriginalString;
        Assert.StartsWith("/connect/authorize?", location);
        Assert.All(location, c => Assert.True(c is > ' ' and < '\u007f', $"not printable ASCII: {location}"));
        Assert.DoesNotContain(' ', location);
        var query = QueryHelpers.ParseQuery(location[location.IndexOf('?')..]);
        Assert.Equal(p.Count, query.Count);
        foreach (var (key, value) in p) Assert.Equal(value, query[key].ToString());

        // The browser follows with a GET, with its cookie: the session is seen, the code issued.
        var callback = OidcDriver.Callback(await driver.Browser.GetAsync(location));
        Assert.True(callback.ContainsKey("code"), string.Join("&", callback));
        Assert.Equal(AwkwardState, callback["state"]);

        // With the cookie, a POST is answered at once; a GET is never sent on.
        p["state"] = "direct";
        Assert.True(OidcDriver.Callback(await driver.Browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(p))).ContainsKey("code"));
        Assert.Equal("login_required", OidcDriver.Callback(await driver.Api.GetAsync(QueryHelpers.AddQueryString("/connect/authorize", p!)))["error"]);
    }

    [Fact]
    public async Task A_cookieless_post_keeps_repeated_parameters_for_the_get_to_refuse()
    {
        var driver = new OidcDriver(host);
        await driver.LoginAsync();
        var form = driver.Params().Select(kv => kv).Append(new("scope", "openid")).ToList();

        var posted = await driver.Api.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var location = posted.Headers.Location!.OriginalString;
        Assert.Equal(2, QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["scope"].Count);
        var refused = OidcDriver.Callback(await driver.Browser.GetAsync(location));
        Assert.Equal("invalid_request", refused["error"]);
        Assert.Contains("scope", refused["error_description"]);
    }

    [Fact]
    public async Task A_post_too_long_to_send_on_is_answered_as_a_post()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["state"] = new string('s', 9000);
        var posted = await driver.Api.PostAsync("/connect/authorize", new FormUrlEncodedContent(p));
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Null(posted.Headers.Location);
    }

    [Fact]
    public async Task A_cookieless_logout_post_is_sent_on_as_a_get_which_ends_the_session()
    {
        var driver = new OidcDriver(host);
        var tokens = await driver.LoginAsync();
        var form = new Dictionary<string, string>
        {
            ["id_token_hint"] = tokens.GetProperty("id_token").GetString()!,
            ["post_logout_redirect_uri"] = TestClients.PostLogout,
            ["state"] = AwkwardState,
        };

        var posted = await driver.Api.PostAsync("/connect/endsession", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var location = posted.Headers.Location!.OriginalString;
        Assert.StartsWith("/connect/endsession?", location);
        Assert.All(location, c => Assert.True(c is > ' ' and < '\u007f', $"not printable ASCII: {location}"));
        var query = QueryHelpers.ParseQuery(location[location.IndexOf('?')..]);
        Assert.Equal(form.Count, query.Count);
        foreach (var (key, value) in form) Assert.Equal(value, query[key].ToString());
        await AssertSignedInAsync(driver);

        var signedOut = await driver.Browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(TestClients.PostLogout + "?state=" + Uri.EscapeDataString(AwkwardState), signedOut.Headers.Location!.OriginalString);
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.Equal("login_required", OidcDriver.Callback(await driver.AuthorizeAsync(p))["error"]);

        // A GET without the cookie is answered as it is: no session to end, back to the application.
        var again = await driver.Api.GetAsync(location);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.StartsWith(TestClients.PostLogout, again.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_logout_confirmation_is_never_sent_on()
    {
        var driver = new OidcDriver(host);
        var response = await driver.Api.PostAsync("/connect/endsession", new FormUrlEncodedContent(new Dictionary<string, string> { ["confirm"] = "yes" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    private static async Task AssertSignedInAsync(OidcDriver driver)
    {
        var p = driver.Params();
        p["prompt"] = "none";
        Assert.True(OidcDriver.Callback(await driver.AuthorizeAsync(p)).ContainsKey("code"));
    }
}
