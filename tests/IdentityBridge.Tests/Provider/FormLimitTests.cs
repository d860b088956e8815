using System.Net;
using System.Text;
using IdentityBridge.Provider.Ciba;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// A form body beyond the form reader's limits (too many parameters, a name or a value too long) is answered as
/// such at every endpoint that reads a form, not as a body of the wrong media type.
/// </summary>
public sealed class FormLimitTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in new[] { "/connect/token", "/connect/introspect", "/connect/revoke", Ciba.Path, "/connect/userinfo", "/connect/authorize", "/connect/endsession" })
            foreach (var body in new[] { "values", "value", "key" })
                data.Add(path, body);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_form_beyond_the_limits_is_invalid_request_saying_so(string path, string limit)
    {
        var options = host.Services.GetRequiredService<IOptions<FormOptions>>().Value;
        var body = limit switch
        {
            "values" => string.Join('&', Enumerable.Range(0, options.ValueCountLimit + 1).Select(i => $"p{i}=1")),
            "value" => "token=" + new string('a', options.ValueLengthLimit + 1),
            _ => new string('k', options.KeyLengthLimit + 1) + "=1",
        };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        var response = await host.CreateApiClient().SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        Assert.DoesNotContain("x-www-form-urlencoded", text);
        // The authorization and logout endpoints answer a browser with a page; the others with an OAuth error object.
        if (path is not ("/connect/authorize" or "/connect/endsession"))
            Assert.Contains("\"error\":\"invalid_request\"", text);
        Assert.Contains("too many parameters or a parameter that is too long", WebUtility.HtmlDecode(text));
    }
}
