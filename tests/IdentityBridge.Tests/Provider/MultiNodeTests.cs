using System.Net;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Sessions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>Two bridge nodes on one database, as behind a load balancer.</summary>
public sealed class MultiNodeTests
{
    private sealed class Node(string? connectionString) : ProviderHost(connectionString, importTestKeys: false);

    [Fact]
    public async Task A_code_issued_at_one_node_is_redeemed_at_the_other_and_rotation_is_seen_by_both()
    {
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;

        var atA = new OidcDriver(nodeA);
        var atB = new OidcDriver(nodeB, atA.Wallet);
        var code = await atA.GetCodeAsync(atA.Params());
        var tokens = await OidcDriver.Json(await atB.RedeemAsync(code, verifier: atA.Verifier), HttpStatusCode.OK);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await atA.UserInfoAsync(accessToken)).StatusCode);
        await OidcDriver.AssertError(await atA.RedeemAsync(code), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Equal(HttpStatusCode.Unauthorized, (await atB.UserInfoAsync(accessToken)).StatusCode);

        var code2 = await atA.GetCodeAsync(atA.Params());
        var fresh = await OidcDriver.Json(await atA.RedeemAsync(code2), HttpStatusCode.OK);
        var original = fresh.GetProperty("refresh_token").GetString()!;
        var rotated = await OidcDriver.Json(await atA.RefreshAsync(original), HttpStatusCode.OK);
        await OidcDriver.AssertError(await atB.RefreshAsync(original), HttpStatusCode.BadRequest, "invalid_grant");
        await OidcDriver.AssertError(await atA.RefreshAsync(rotated.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Both_nodes_publish_the_same_keys_and_see_each_others_rotation()
    {
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;
        var jwksA = await nodeA.CreateApiClient().GetStringAsync("/.well-known/jwks.json");
        Assert.Equal(jwksA, await nodeB.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));

        var rotated = await nodeA.Services.GetRequiredService<IdentityBridge.Provider.Keys.SigningKeyStore>().RotateNowAsync("RS256", immediate: true);
        await nodeB.Services.GetRequiredService<IdentityBridge.Provider.Keys.SigningKeyStore>().MaintainAsync();
        Assert.Contains(rotated.Kid, await nodeB.CreateApiClient().GetStringAsync("/.well-known/jwks.json"));
        var driver = new OidcDriver(nodeB);
        var token = await OidcDriver.Json(await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
        Assert.Equal(rotated.Kid, OidcDriver.Jwt(token.GetProperty("access_token").GetString()!).Kid);
    }

    [Fact]
    public async Task A_DPoP_proof_used_at_one_node_is_a_replay_at_the_other()
    {
        // RFC 9449 §11.1: the jti is recorded in the shared database, not in one node's memory.
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;
        var proof = DPoPKey.NewEc().Proof(nodeA.Clock, "POST", Infrastructure.BridgeFactory.Issuer + "/connect/token");
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
            };
            request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
            request.Headers.Add("DPoP", proof);
            return request;
        }
        Assert.Equal(HttpStatusCode.OK, (await nodeA.CreateApiClient().SendAsync(Request())).StatusCode);
        await OidcDriver.AssertError(await nodeB.CreateApiClient().SendAsync(Request()), HttpStatusCode.BadRequest, "invalid_dpop_proof");
    }

    [Fact]
    public async Task A_DPoP_nonce_handed_out_by_one_node_is_taken_by_the_other()
    {
        // RFC 9449 §8: nonces are stateless, authenticated with the key ring the nodes share in the database.
        await using var nodeA = new Node(null);
        nodeA.Settings["Bridge:DPoP:RequireNonce"] = "true";
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        nodeB.Settings["Bridge:DPoP:RequireNonce"] = "true";
        _ = nodeB.Server;
        var key = DPoPKey.NewEc();
        HttpRequestMessage Request(string? nonce)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),
            };
            request.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
            request.Headers.Add("DPoP", DPoPNonceTests.Proof(key, nodeA.Clock, "POST", Infrastructure.BridgeFactory.Issuer + "/connect/token", nonce));
            return request;
        }
        var refused = await nodeA.CreateApiClient().SendAsync(Request(null));
        await OidcDriver.AssertError(refused, HttpStatusCode.BadRequest, "use_dpop_nonce");
        var atB = await nodeB.CreateApiClient().SendAsync(Request(DPoPNonceTests.NonceOf(refused)));
        Assert.Equal(HttpStatusCode.OK, atB.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await nodeA.CreateApiClient().SendAsync(Request(DPoPNonceTests.NonceOf(atB)))).StatusCode);
    }

    [Fact]
    public async Task An_expired_session_is_logged_out_at_its_client_by_one_node_only()
    {
        // Both nodes look for expired sessions at once; the conditional end lets one of them end the session, and
        // only that one revokes, audits and sends the logout token.
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        await using var nodeB = new Node(nodeA.DatabaseConnectionString);
        _ = nodeB.Server;
        var driver = new OidcDriver(nodeA);
        var sid = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");

        var lifetime = nodeA.Services.GetRequiredService<IOptions<BridgeOptions>>().Value.Session.Lifetime;
        nodeA.Clock.Advance(lifetime + TimeSpan.FromMinutes(1));
        nodeB.Clock.Advance(lifetime + TimeSpan.FromMinutes(1));
        var ended = await Task.WhenAll(
            nodeA.Services.GetRequiredService<SessionExpiry>().EndExpiredAsync(CancellationToken.None),
            nodeB.Services.GetRequiredService<SessionExpiry>().EndExpiredAsync(CancellationToken.None));

        Assert.Equal(1, ended.Sum());
        var sent = nodeA.BackChannel.Requests.Concat(nodeB.BackChannel.Requests).Where(r => SidOf(r.Body) == sid).ToList();
        Assert.Equal(TestClients.BackChannel, Assert.Single(sent).Uri.ToString());
    }

    [Fact]
    public async Task A_node_that_starts_logs_out_the_sessions_that_expired_while_none_ran()
    {
        // The expiry service runs once the host has started, then every minute: sessions that expired while every
        // node was stopped are logged out at their clients without waiting for the first interval.
        await using var nodeA = new Node(null);
        _ = nodeA.Server;
        var driver = new OidcDriver(nodeA);
        var sid = OidcDriver.Jwt((await driver.LoginAsync()).GetProperty("id_token").GetString()!).GetPayloadValue<string>("sid");

        await using var nodeB = new Node(nodeA.DatabaseConnectionString) { MoreServices = services => services.AddHostedService<SessionExpiryService>() };
        nodeB.Clock.Advance(nodeA.Services.GetRequiredService<IOptions<BridgeOptions>>().Value.Session.Lifetime + TimeSpan.FromMinutes(1));
        _ = nodeB.Server;

        var (uri, _) = await nodeB.BackChannel.WaitForAsync(b => SidOf(b) == sid, TimeSpan.FromSeconds(30));
        Assert.Equal(TestClients.BackChannel, uri.ToString());
    }

    private static string? SidOf(string body) =>
        QueryHelpers.ParseQuery(body).TryGetValue("logout_token", out var t) ? new JsonWebToken(t.ToString()).GetPayloadValue<string>("sid") : null;
}
