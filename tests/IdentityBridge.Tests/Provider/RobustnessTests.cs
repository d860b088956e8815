using System.Net;
using System.Text;

namespace IdentityBridge.Tests.Provider;

/// <summary>Malformed input to every endpoint is answered with a protocol error or a page, never a 500.</summary>
public sealed class RobustnessTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    public static TheoryData<string, string, string?, string?> Requests => new()
    {
        { "GET", "/connect/authorize", null, null },
        { "GET", "/connect/authorize?client_id=web&client_id=web", null, null },
        { "GET", "/connect/authorize?client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid&code_challenge=short&code_challenge_method=S256", null, null },
        { "GET", "/connect/authorize?client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid&max_age=-1", null, null },
        { "GET", "/connect/authorize?client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid&id_token_hint=a.b.c", null, null },
        { "GET", "/connect/authorize?client_id=web&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid&bridge_interaction=forged", null, null },
        { "GET", "/connect/authorize?client_id=" + new string('x', 5000), null, null },
        { "POST", "/connect/authorize", "multipart/form-data; boundary=x", "--x--" },
        { "POST", "/connect/token", "application/x-www-form-urlencoded", "%%%=%%%&grant_type" },
        { "POST", "/connect/token", "text/plain", "grant_type=client_credentials" },
        { "POST", "/connect/token", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=not.a.jwt" },
        { "POST", "/connect/token", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=eyJhbGciOiJub25lIn0.eyJzdWIiOiJqd3QifQ." },
        { "POST", "/connect/token", "application/x-www-form-urlencoded", "grant_type=refresh_token&client_id=spa&refresh_token=" },
        { "GET", "/connect/token", null, null },
        { "POST", "/connect/introspect", "application/json", "{}" },
        { "POST", "/connect/revoke", "application/x-www-form-urlencoded", "token=a.b.c&client_id=spa" },
        { "GET", "/connect/userinfo?access_token=x", null, null },
        { "POST", "/connect/userinfo", "application/x-www-form-urlencoded", "access_token=eyJhbGciOiJub25lIn0.e30." },
        { "GET", "/connect/endsession?id_token_hint=garbage&post_logout_redirect_uri=javascript:alert(1)", null, null },
        { "POST", "/connect/endsession", "application/x-www-form-urlencoded", "confirm=yes" },
        { "GET", "/consent?returnUrl=%2Fconnect%2Fauthorize%3Fclient_id%3Dweb", null, null },
        // A NUL byte, which PostgreSQL refuses in text, wherever a value reaches a database lookup.
        { "GET", "/connect/authorize?client_id=we%00b&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid", null, null },
        { "POST", "/connect/token", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=po%00st&client_secret=post-secret" },
        { "POST", "/connect/token", "application/x-www-form-urlencoded", "grant_type=authorization_code&client_id=post&client_secret=post-secret&code=a%00b&redirect_uri=https%3A%2F%2Fapp.example%2Fcb" },
        { "POST", "/connect/introspect", "application/x-www-form-urlencoded", "client_id=po%00st&client_secret=x&token=y" },
        { "POST", "/connect/revoke", "application/x-www-form-urlencoded", "client_id=sp%00a&token=y" },
        { "POST", "/connect/ciba", "application/x-www-form-urlencoded", "client_id=po%00st&client_secret=x&scope=openid&login_hint=r%00" },
        { "GET", "/connect/endsession?client_id=we%00b&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fsigned-out", null, null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Never_a_server_error(string method, string path, string? contentType, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        var response = await host.CreateBrowser().SendAsync(request);
        Assert.True((int)response.StatusCode < 500, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.DoesNotContain("javascript", response.Headers.Location!.OriginalString);
    }

    public static TheoryData<string, string> MethodsWithoutHandler => new()
    {
        { "TRACE", "/account" },
        { "OPTIONS", "/account" },
        { "TRACE", "/consent?returnUrl=%2Fconnect%2Fauthorize%3Fclient_id%3Dweb" },
        { "OPTIONS", "/login?returnUrl=%2Faccount" },
        { "TRACE", "/login/error?reason=cancelled" },
        { "TRACE", "/signin/qr?returnUrl=%2Faccount" },
        { "OPTIONS", "/signin/push" },
        // The home page has no handler at all: it is content to GET, nothing else.
        { "TRACE", "/" },
        { "OPTIONS", "/" },
    };

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task A_page_without_handlers_still_answers_get_and_head(string method)
    {
        var response = await host.CreateBrowser().SendAsync(new HttpRequestMessage(new HttpMethod(method), "/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// A page run without a handler renders a model its handler never filled in; a method a page has no handler for
    /// is refused before it renders.
    /// </summary>
    [Theory]
    [MemberData(nameof(MethodsWithoutHandler))]
    public async Task A_method_a_page_has_no_handler_for_is_405(string method, string path)
    {
        var response = await host.CreateBrowser().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Contains("HEAD", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task A_handler_name_a_page_does_not_have_is_404_and_a_method_405_for_a_signed_in_user_too()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        var page = await driver.Browser.GetStringAsync("/account");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        var form = new Dictionary<string, string> { ["__RequestVerificationToken"] = token };

        var unknown = await driver.Browser.PostAsync("/account?handler=Nope", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var put = await driver.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/account?handler=Link") { Content = new FormUrlEncodedContent(form) });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }
}
