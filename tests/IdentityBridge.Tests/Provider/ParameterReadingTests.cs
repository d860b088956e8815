using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// RFC 6749 §3.1-3.2 and Appendix B: parameter names are matched exactly (a name in other letter case is an unknown
/// parameter, ignored, and no repetition of the real one), and names and values are UTF-8. A value that is not UTF-8,
/// or that holds a NUL byte, is refused as invalid_request naming the parameter, not read as something else.
/// </summary>
public sealed class ParameterReadingTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Fact]
    public async Task A_name_in_other_letter_case_is_an_unknown_parameter_at_the_token_endpoint()
    {
        var driver = new OidcDriver(host);

        var ignored = await TokenAsync(driver, "grant_type=client_credentials&Grant_Type=password&GRANT_TYPE=refresh_token");
        Assert.True(ignored.TryGetProperty("access_token", out _), ignored.ToString());

        var missing = await TokenAsync(driver, "Grant_Type=client_credentials", HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", missing.GetProperty("error").GetString());
        Assert.Contains("grant_type", missing.GetProperty("error_description").GetString());

        // Sent without a value, a parameter counts as omitted: no repetition of the one sent with a value.
        var empty = await TokenAsync(driver, "grant_type=&grant_type=client_credentials");
        Assert.True(empty.TryGetProperty("access_token", out _), empty.ToString());
    }

    [Fact]
    public async Task A_name_in_other_letter_case_neither_names_the_client_nor_repeats_client_id_at_the_authorize_endpoint()
    {
        var driver = new OidcDriver(host);
        var url = QueryHelpers.AddQueryString("/connect/authorize", driver.Params()!);

        // Before client_id: had it been read as client_id, the request would have no trusted client (an error page).
        var before = await driver.Browser.GetAsync(url.Replace("?", "?CLIENT_ID=evil&", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, before.StatusCode);
        Assert.StartsWith("/login?", before.Headers.Location!.OriginalString);

        var after = await driver.Browser.GetAsync(url + "&Client_Id=evil&Redirect_Uri=" + Uri.EscapeDataString("https://evil.example/cb"));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login?", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_cookieless_authorize_post_sends_on_names_in_other_letter_case_as_they_were()
    {
        var driver = new OidcDriver(host);
        var form = driver.Params().Select(kv => kv).Append(new("Client_Id", "evil")).ToList();

        var posted = await driver.Api.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var location = posted.Headers.Location!.OriginalString;
        Assert.Contains("&Client_Id=evil", location, StringComparison.Ordinal);
        var followed = await driver.Browser.GetAsync(location);
        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        Assert.StartsWith("/login?", followed.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_nul_byte_is_refused_naming_the_parameter_at_the_token_endpoint()
    {
        var driver = new OidcDriver(host);
        var refused = await TokenAsync(driver, "grant_type=client_credentials&scope=open%00id", HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", refused.GetProperty("error").GetString());
        Assert.Equal("The scope parameter contains a character that is not allowed.", refused.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_nul_byte_in_client_id_is_shown_on_the_error_page_and_in_another_value_is_redirected_with_the_state()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p["client_id"] = "we\0b";
        var page = await driver.AuthorizeAsync(p);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Null(page.Headers.Location);
        Assert.Contains("The client_id parameter contains a character that is not allowed.", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()));

        p = driver.Params();
        p["nonce"] = "n\0";
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal("The nonce parameter contains a character that is not allowed.", callback["error_description"]);
        Assert.Equal(p["state"], callback["state"]);
    }

    [Fact]
    public async Task A_state_that_is_not_utf8_is_redirected_as_invalid_request_without_a_state()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p.Remove("state");
        var url = QueryHelpers.AddQueryString("/connect/authorize", p!) + "&state=%FF%FE";

        var callback = OidcDriver.Callback(await driver.Browser.GetAsync(url));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal("The state parameter is not valid UTF-8.", callback["error_description"]);
        Assert.False(callback.ContainsKey("state"));
    }

    [Fact]
    public async Task A_state_that_is_not_utf8_survives_a_cookieless_post_to_be_refused_on_the_get()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p.Remove("state");
        var body = await new FormUrlEncodedContent(p).ReadAsStringAsync() + "&state=%C3%28";

        var posted = await driver.Api.PostAsync("/connect/authorize", new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var callback = OidcDriver.Callback(await driver.Browser.GetAsync(posted.Headers.Location!.OriginalString));
        Assert.Equal("invalid_request", callback["error"]);
        Assert.Equal("The state parameter is not valid UTF-8.", callback["error_description"]);
        Assert.False(callback.ContainsKey("state"));
    }

    [Fact]
    public async Task A_redirect_uri_that_is_not_utf8_is_shown_on_the_error_page()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params();
        p.Remove("redirect_uri");
        var page = await driver.Browser.GetAsync(QueryHelpers.AddQueryString("/connect/authorize", p!) + "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%FF");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Null(page.Headers.Location);
        Assert.Contains("The redirect_uri parameter is not valid UTF-8.", WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("grant_type=client_credentials&scope=openid%C3", "The scope parameter is not valid UTF-8.")]
    [InlineData("grant_type=client_credentials&%FF=1", "A parameter name is not valid UTF-8.")]
    public async Task A_value_or_name_that_is_not_utf8_is_invalid_request_at_the_token_endpoint(string body, string description)
    {
        var refused = await TokenAsync(new OidcDriver(host), body, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", refused.GetProperty("error").GetString());
        Assert.Equal(description, refused.GetProperty("error_description").GetString());
    }

    public static TheoryData<string, string, string> EveryEndpoint() => new()
    {
        { "/connect/token", "grant_type=client_credentials&scope=%00", "The scope parameter contains a character that is not allowed." },
        { "/connect/introspect", "token=%FF", "The token parameter is not valid UTF-8." },
        { "/connect/revoke", "token=a%00", "The token parameter contains a character that is not allowed." },
        { IdentityBridge.Provider.Ciba.Ciba.Path, "scope=openid&login_hint=%E2%82", "The login_hint parameter is not valid UTF-8." },
        { "/connect/userinfo", "access_token=%00", "The access_token parameter contains a character that is not allowed." },
        { "/connect/endsession?id_token_hint=%FF", "", "The id_token_hint parameter is not valid UTF-8." },
    };

    [Theory]
    [MemberData(nameof(EveryEndpoint))]
    public async Task Every_endpoint_names_the_parameter_it_could_not_read(string path, string body, string description)
    {
        var request = path.Contains('?')
            ? new HttpRequestMessage(HttpMethod.Get, path)
            : new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded") };
        if (!path.Contains("userinfo", StringComparison.Ordinal)) request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        var response = await host.CreateApiClient().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        // The logout endpoint answers a browser with a page; userinfo in its challenge; the others with an OAuth error object.
        Assert.Contains(description, WebUtility.HtmlDecode(text + response.Headers.WwwAuthenticate));
    }

    private static async Task<JsonElement> TokenAsync(OidcDriver driver, string body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded") };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        return await OidcDriver.Json(await driver.Api.SendAsync(request), expected);
    }
}
