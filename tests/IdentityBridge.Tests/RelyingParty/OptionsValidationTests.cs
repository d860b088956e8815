using IdentityBridge.RelyingParty;

namespace IdentityBridge.Tests.RelyingParty;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("http://op.example", "must use https")]
    [InlineData("op.example", "absolute")]
    [InlineData("", "must be set")]
    public async Task Bad_authority_stops_the_host(string authority, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Harness.StartAsync(options => options.Authority = authority));

        Assert.Contains("Authority", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://[::1]:5000")]
    public async Task Http_is_allowed_on_loopback(string authority)
    {
        await using var harness = await Harness.StartAsync(options => options.Authority = authority);
    }

    [Fact]
    public async Task Http_is_allowed_when_https_metadata_is_not_required()
    {
        await using var harness = await Harness.StartAsync(options =>
        {
            options.Authority = "http://op.internal";
            options.RequireHttpsMetadata = false;
        });
    }

    public static TheoryData<string, Action<OidcClientOptions>> InvalidOptions => new()
    {
        { "ClientId", options => options.ClientId = "" },
        { "CallbackPath", options => options.CallbackPath = default },
        { "AllowedSigningAlgorithms", options => options.AllowedSigningAlgorithms.Add("HS256") },
        { "AllowedSigningAlgorithms", options => options.AllowedSigningAlgorithms.Clear() },
        { "Scope", options => options.Scope.Clear() },
        { "UsePkce", options => { options.ClientSecret = string.Empty; options.UsePkce = false; } },
        { "ClockSkew", options => options.ClockSkew = TimeSpan.FromHours(1) },
        { "MetadataMaxStaleness", options => options.MetadataMaxStaleness = TimeSpan.FromHours(1) },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task Invalid_options_stop_the_host_naming_the_option(string option, Action<OidcClientOptions> configure)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Harness.StartAsync(configure));

        Assert.StartsWith("OidcClientOptions." + option + " ", error.Message, StringComparison.Ordinal);
    }
}
