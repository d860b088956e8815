using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Simulator;

public sealed class XAppTests
{
    [Fact]
    public async Task One_time_token_resolves_once_to_context_with_hs256_jwt()
    {
        await using var host = await SimulatorHost.StartAsync();
        using var issued = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/xapp/ott", new { account = SimulatorHost.Wallet, network = "TESTNET" });
        var ott = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["ott"]!.GetValue<string>();

        var context = await host.PlatformJsonAsync(HttpMethod.Get, $"/xapp/ott/{ott}");
        using var again = await host.PlatformAsync(HttpMethod.Get, $"/xapp/ott/{ott}");

        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(SimulatorHost.Wallet, context["account"]!.GetValue<string>());
        Assert.Equal("TESTNET", context["nodetype"]!.GetValue<string>());
        foreach (var key in new[] { "version", "locale", "currency", "style", "nodewss", "user", "user_name", "user_device", "account_info", "accountaccess", "accounttype", "origin" })
        {
            Assert.True(context.ContainsKey(key), key);
        }

        var jwt = context["jwt"]!.GetValue<string>();
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SimulatorHost.ApiSecret)),
            ValidIssuer = "https://xumm.app",
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var claims = TokenTests.Claims(jwt);
        Assert.Equal("HS256", TokenTests.Header(jwt)["alg"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.ApiKey, claims["client_id"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.ApiKey, claims["app_uuidv4"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Wallet, claims["sub"]!.GetValue<string>());
        Assert.Equal(SimulatorHost.Wallet, claims["account"]!.GetValue<string>());
        Assert.Equal("TESTNET", claims["network_type"]!.GetValue<string>());
        Assert.Equal(86400, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
        Assert.NotNull(host.State.FindUserToken(claims["usertoken_uuidv4"]!.GetValue<string>()));
    }

    [Fact]
    public async Task One_time_token_of_another_app_is_not_found()
    {
        await using var host = await SimulatorHost.StartAsync();
        var ott = host.State.IssueXAppOneTimeToken(SimulatorHost.ApiKey, SimulatorHost.Wallet);

        using var response = await host.PlatformAsync(HttpMethod.Get, $"/xapp/ott/{ott}", apiKey: SimulatorHost.OtherApiKey, apiSecret: SimulatorHost.OtherApiSecret);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
