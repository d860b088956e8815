using System.Net;
using System.Text;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Tests.Provider;

/// <summary>error_description holds only the characters RFC 6749 §4.1.2.1 / §5.2 allow: %x20-21 / %x23-5B / %x5D-7E.</summary>
public sealed class ErrorDescriptionTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    [Theory]
    [InlineData("The scope 'a\"\\é' is not allowed.", "The scope 'a'/?' is not allowed.")]
    [InlineData("tab\there, line\r\nbreak", "tab here, line  break")]
    [InlineData("emoji \U0001F600 and \u0000 nul and \u007f del", "emoji ? and ? nul and ? del")]
    [InlineData("clipped here…", "clipped here...")]
    [InlineData("plain ASCII stays: !#$%&'()*+,-./:;<=>?@[]^_`{|}~", "plain ASCII stays: !#$%&'()*+,-./:;<=>?@[]^_`{|}~")]
    public void Descriptions_are_reduced_to_the_allowed_characters(string raw, string expected)
    {
        Assert.Equal(expected, ErrorDescription.Clean(raw));
        Assert.Equal(expected, new ProtocolError(ProtocolErrors.InvalidRequest, raw).Description);
    }

    [Fact]
    public void Long_descriptions_and_echoed_values_are_clipped_with_three_dots()
    {
        var clean = ErrorDescription.Clean(new string('a', 1000))!;
        Assert.Equal(ErrorDescription.MaxLength, clean.Length);
        Assert.EndsWith("...", clean);
        Assert.Equal("short", ErrorDescription.Echo("short"));
        var echoed = ErrorDescription.Echo(new string('b', 100) + "é");
        Assert.Equal(new string('b', ErrorDescription.MaxEchoLength) + "...", echoed);
        Assert.Null(ErrorDescription.Clean(null));
    }

    [Fact]
    public async Task Token_endpoint_errors_do_not_echo_forbidden_characters()
    {
        var driver = new OidcDriver(host);
        var scope = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent("grant_type=client_credentials&scope=a%22%5C%C3%A9" + new string('z', 200), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        scope.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        var json = await OidcDriver.Json(await driver.Api.SendAsync(scope), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_scope", json.GetProperty("error").GetString());
        AssertConformant(json.GetProperty("error_description").GetString());
        Assert.Contains("...", json.GetProperty("error_description").GetString());

        var duplicate = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent("grant_type=client_credentials&%C3%A9%22=1&%C3%A9%22=2", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        duplicate.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        json = await OidcDriver.Json(await driver.Api.SendAsync(duplicate), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
        AssertConformant(json.GetProperty("error_description").GetString());

        var refresh = (await driver.LoginAsync(driver.Params(scope: "openid offline_access"))).GetProperty("refresh_token").GetString()!;
        json = await OidcDriver.Json(await driver.RefreshAsync(refresh, scope: "openid \"wider\\é"), HttpStatusCode.BadRequest);
        Assert.Equal("invalid_scope", json.GetProperty("error").GetString());
        AssertConformant(json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Authorize_error_redirects_are_clipped_with_ascii_dots()
    {
        var driver = new OidcDriver(host);
        var p = driver.Params(scope: "openid " + new string('x', 60) + "é\"");
        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(p));
        Assert.Equal("invalid_scope", callback["error"]);
        AssertConformant(callback["error_description"]);
        Assert.Contains("...", callback["error_description"]);
    }

    private static void AssertConformant(string? description)
    {
        Assert.False(string.IsNullOrEmpty(description));
        foreach (var c in description!)
            Assert.True(c is (>= '\x20' and <= '\x21') or (>= '\x23' and <= '\x5b') or (>= '\x5d' and <= '\x7e'), $"'{c}' (U+{(int)c:X4}) in: {description}");
    }
}
