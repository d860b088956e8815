using System.Net;
using IdentityBridge.Tests.Infrastructure;

namespace IdentityBridge.Tests.Foundation;

public sealed class PipelineTests(PipelineTests.Host host) : IClassFixture<PipelineTests.Host>
{
    public sealed class Host : BridgeFactory;

    [Fact]
    public async Task Healthz_and_readyz_answer_200_with_database_check()
    {
        var client = host.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var (status, checks) = await ReadinessTests.ReadyEventuallyAsync(host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        var response = await host.CreateApiClient().GetAsync("/healthz");
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Every_link_of_the_home_page_leads_somewhere()
    {
        // The home page is where a newcomer starts; a link there that answers 404 is the first thing they try.
        var client = host.CreateApiClient();
        var home = await client.GetStringAsync("/");
        var links = System.Text.RegularExpressions.Regex.Matches(home, "<a href=\"(/[^\"#]*)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(links);
        foreach (var link in links)
        {
            var response = await client.GetAsync(link);
            Assert.True(response.StatusCode != HttpStatusCode.NotFound, $"The home page links {link}, which answers 404.");
        }
    }

    [Fact]
    public async Task Unknown_path_answers_json_error_with_request_id_not_a_stack_trace()
    {
        var response = await host.CreateApiClient().GetAsync("/no/such/thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"request_id\"", body);
        Assert.DoesNotContain("   at ", body);
    }
}
