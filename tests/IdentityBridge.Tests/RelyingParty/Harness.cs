using System.Net;
using System.Text.Json;
using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>A fake provider, a relying party using the handler, a shared manual clock and a browser.</summary>
internal sealed class Harness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private Harness(ManualTimeProvider time, FakeOpenIdProvider provider, RelyingPartyApp app)
    {
        Time = time;
        Provider = provider;
        App = app;
        Browser = new Browser(provider, app);
    }

    public ManualTimeProvider Time { get; }

    public FakeOpenIdProvider Provider { get; }

    public RelyingPartyApp App { get; }

    public Browser Browser { get; private set; }

    public static async Task<Harness> StartAsync(Action<OidcClientOptions>? configure = null, Action<FakeOpenIdProvider>? arrange = null)
    {
        var time = new ManualTimeProvider(Start);
        var provider = await FakeOpenIdProvider.StartAsync(time);
        arrange?.Invoke(provider);
        var app = await RelyingPartyApp.StartAsync(provider, time, configure);
        return new Harness(time, provider, app);
    }

    /// <summary>Forgets all cookies, like a new user agent.</summary>
    public Browser NewBrowser() => Browser = new Browser(Provider, App);

    /// <summary>Runs the whole login dance and returns the final answer (the <c>/me</c> page on success).</summary>
    public Task<HttpResponseMessage> LoginAsync(string query = "") => Browser.FollowAsync("/login" + query);

    /// <summary>Logs in and asserts success; returns the claims and tokens shown by <c>/me</c>.</summary>
    public async Task<SignedInUser> LoginSucceedsAsync(string query = "")
    {
        using var response = await LoginAsync(query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected the /me page, got {(int)response.StatusCode}: {body}");
        return SignedInUser.Parse(body);
    }

    /// <summary>Logs in, asserts that the handler reported a failure with <paramref name="error"/>, returns it.</summary>
    public async Task<OidcClientFailureException> LoginFailsAsync(string error, string query = "")
    {
        using var response = await LoginAsync(query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("failure:" + error, body);
        var failure = App.LastFailure;
        Assert.Equal(error, failure.Error);
        return failure;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

/// <summary>What <c>/me</c> shows about the signed-in user.</summary>
internal sealed record SignedInUser(Dictionary<string, string[]> Claims, Dictionary<string, string> Tokens)
{
    public static SignedInUser Parse(string json)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        return JsonSerializer.Deserialize<SignedInUser>(json, options)!;
    }

    public string? Claim(string type) => Claims.TryGetValue(type, out var values) ? Assert.Single(values) : null;
}
