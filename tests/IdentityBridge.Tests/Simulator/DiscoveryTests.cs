using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace IdentityBridge.Tests.Simulator;

public sealed class DiscoveryTests
{
    [Fact]
    public async Task Discovery_document_is_derived_from_the_mapped_prefix()
    {
        await using var host = await SimulatorHost.StartAsync();

        var document = (await host.Client.GetFromJsonAsync<JsonObject>($"{SimulatorHost.Prefix}/.well-known/openid-configuration"))!;

        Assert.Equal(SimulatorHost.Issuer, document["issuer"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Issuer + "/auth", document["authorization_endpoint"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Issuer + "/token", document["token_endpoint"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Issuer + "/userinfo", document["userinfo_endpoint"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Issuer + "/certs", document["jwks_uri"]!.GetValue<string>());
        Assert.Equal(["code", "token", "id_token token", "id_token"], Strings(document["response_types_supported"]));
        Assert.Equal(["query", "fragment"], Strings(document["response_modes_supported"]));
        Assert.Equal(["S256"], Strings(document["code_challenge_methods_supported"]));
        Assert.Equal(["RS256"], Strings(document["id_token_signing_alg_values_supported"]));
        Assert.Equal(["authorization_code", "implicit"], Strings(document["grant_types_supported"]));
    }

    [Fact]
    public async Task Configured_issuer_wins_over_the_request()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.Issuer = "https://oauth2.sim.example");

        var document = (await host.Client.GetFromJsonAsync<JsonObject>($"{SimulatorHost.Prefix}/.well-known/openid-configuration"))!;

        Assert.Equal("https://oauth2.sim.example", document["issuer"]!.GetValue<string>());
        Assert.Equal("https://oauth2.sim.example/token", document["token_endpoint"]!.GetValue<string>());
    }

    [Fact]
    public async Task Jwks_holds_one_rsa_key_without_kid()
    {
        await using var host = await SimulatorHost.StartAsync();

        var jwks = (await host.Client.GetFromJsonAsync<JsonObject>($"{SimulatorHost.Prefix}/certs"))!;

        var key = Assert.Single(jwks["keys"]!.AsArray())!.AsObject();
        Assert.Equal("RSA", key["kty"]!.GetValue<string>());
        Assert.False(key.ContainsKey("kid"));
        Assert.False(key.ContainsKey("d"));
    }

    internal static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(n => n!.GetValue<string>())];
}
