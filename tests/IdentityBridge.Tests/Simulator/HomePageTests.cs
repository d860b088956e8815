using System.Net;

namespace IdentityBridge.Tests.Simulator;

/// <summary>
/// The address the bridge's Development log names as the simulator's answers with a page that says what it is,
/// not a 404 a newcomer would take for a broken install.
/// </summary>
public sealed class HomePageTests
{
    [Theory]
    [InlineData(SimulatorHost.Prefix)]
    [InlineData(SimulatorHost.Prefix + "/")]
    public async Task The_prefix_itself_answers_a_page_that_says_what_the_simulator_is(string path)
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("stand-in for Xumm", html);
        Assert.Contains($"href=\"{SimulatorHost.Prefix}/.well-known/openid-configuration\"", html);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task The_page_is_read_only()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var response = await host.Client.PostAsync(SimulatorHost.Prefix, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
