using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.Simulator;

/// <summary>
/// The legacy implicit flow of oauth2.xumm.app: the token comes back in the redirect URI's fragment
/// (RFC 6749 §4.2.2, OpenID Connect Core §3.2.2.5), never in the query.
/// </summary>
public sealed class ImplicitFlowTests
{
    [Fact]
    public async Task Token_response_type_answers_in_the_fragment_with_lower_case_bearer()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth?{SimulatorHost.AuthorizeQuery(scope: "openid profile", responseType: "token")}");
        var location = response.Headers.Location!.ToString();
        var fragment = Fragment(response);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(SimulatorHost.RedirectUri + "#", location, StringComparison.Ordinal);
        Assert.DoesNotContain('?', location[..location.IndexOf('#', StringComparison.Ordinal)]);
        Assert.Equal("bearer", fragment["token_type"]);
        Assert.Equal("86400", fragment["expires_in"]);
        Assert.Equal("openid profile", fragment["scope"]);
        Assert.Equal("st-1", fragment["state"]);
        Assert.Equal(fragment["access_token"], fragment["id_token"]);
        Assert.False(fragment.ContainsKey("refresh_token"));
        Assert.False(fragment.ContainsKey("code"));
        Assert.False(fragment.ContainsKey("authorization_code"));
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_openid_scope_there_is_no_id_token()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(scope: "profile", nonce: null, responseType: "token"));

        Assert.False(string.IsNullOrEmpty(fragment["access_token"]));
        Assert.False(fragment.ContainsKey("id_token"));
        Assert.False(fragment.ContainsKey("nonce"));
        Assert.Equal("profile", fragment["scope"]);
    }

    [Theory]
    [InlineData("id_token token")]
    [InlineData("token id_token")]
    public async Task Id_token_token_carries_the_same_jwt_twice_and_echoes_the_nonce(string responseType)
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(nonce: "n-42", responseType: responseType));
        var claims = TokenTests.Claims(fragment["access_token"]);

        Assert.Equal(fragment["access_token"], fragment["id_token"]);
        Assert.Equal("bearer", fragment["token_type"]);
        Assert.Equal("st-1", fragment["state"]);
        Assert.Equal("n-42", fragment["nonce"]);
        Assert.Equal("n-42", claims["nonce"]!.GetValue<string>());
    }

    [Fact]
    public async Task Id_token_alone_carries_no_access_token()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(responseType: "id_token"));
        var claims = TokenTests.Claims(fragment["id_token"]);

        Assert.False(fragment.ContainsKey("access_token"));
        Assert.False(fragment.ContainsKey("token_type"));
        Assert.False(fragment.ContainsKey("expires_in"));
        Assert.Equal("st-1", fragment["state"]);
        Assert.Equal(SimulatorHost.Wallet, claims["sub"]!.GetValue<string>());
        Assert.Equal("n-1", claims["nonce"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("id_token")]
    [InlineData("id_token token")]
    public async Task A_response_type_with_id_token_needs_a_nonce(string responseType)
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(nonce: null, responseType: responseType));

        Assert.Equal("invalid_request", fragment["error"]);
        Assert.Equal("st-1", fragment["state"]);
        Assert.False(fragment.ContainsKey("access_token"));
        Assert.False(fragment.ContainsKey("id_token"));
        Assert.Empty(host.State.Payloads());
    }

    [Fact]
    public async Task Token_alone_does_not_need_a_nonce()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(nonce: null, responseType: "token"));

        Assert.False(string.IsNullOrEmpty(fragment["access_token"]));
        Assert.False(TokenTests.Claims(fragment["access_token"]).ContainsKey("nonce"));
    }

    [Fact]
    public async Task A_response_type_with_id_token_needs_scope_openid()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(scope: "profile", responseType: "id_token token"));

        Assert.Equal("invalid_request", fragment["error"]);
        Assert.False(fragment.ContainsKey("access_token"));
    }

    [Fact]
    public async Task The_token_is_the_token_endpoints_jwt_and_works_at_userinfo()
    {
        await using var host = await SimulatorHost.StartAsync();
        var viaCode = await host.TokensAsync();
        host.State.SetAutoApprove(SimulatorHost.Wallet, null, once: true);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(responseType: "id_token token"));
        var jwt = fragment["access_token"];
        var validation = await TokenTests.ValidateAgainstJwksAsync(host, jwt);
        var (status, info) = await UserinfoTests.UserinfoAsync(host, jwt);

        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.Equal(
            TokenTests.Claims(viaCode["access_token"]!.GetValue<string>()).Select(c => c.Key).Order(),
            TokenTests.Claims(jwt).Select(c => c.Key).Order());
        Assert.Equal(TokenTests.Header(viaCode["access_token"]!.GetValue<string>()).ToJsonString(), TokenTests.Header(jwt).ToJsonString());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(SimulatorHost.Wallet, info!["sub"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("https://rp.example/other")]
    [InlineData("https://evil.example/callback")]
    [InlineData("https://rp.example/callback#frag")]
    public async Task A_redirect_uri_that_cannot_be_trusted_gets_an_error_page_not_a_redirect(string redirectUri)
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        using var response = await host.Client.GetAsync(
            $"{SimulatorHost.Prefix}/auth?client_id={SimulatorHost.ApiKey}&redirect_uri={Uri.EscapeDataString(redirectUri)}&response_type=token&scope=openid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Unknown_client_gets_an_error_page_not_a_redirect()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        using var response = await host.Client.GetAsync(
            $"{SimulatorHost.Prefix}/auth?client_id=99999999-9999-4999-8999-999999999999&redirect_uri={Uri.EscapeDataString(SimulatorHost.RedirectUri)}&response_type=token");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Redirect_uri_is_checked_by_prefix_like_the_code_flow()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);
        const string redirectUri = "https://rp.example/callback/extra?x=1";

        using var response = await host.Client.GetAsync(
            $"{SimulatorHost.Prefix}/auth?client_id={SimulatorHost.ApiKey}&redirect_uri={Uri.EscapeDataString(redirectUri)}&response_type=token&scope=openid");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(redirectUri + "#access_token=", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_approval_hands_out_the_token_for_that_wallet()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await AuthorizeTests.OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery(responseType: "id_token token"));

        using var response = await AuthorizeTests.DecideAsync(host, uuid, "approve", SimulatorHost.OtherWallet, "TESTNET");
        var fragment = Fragment(response);
        var claims = TokenTests.Claims(fragment["access_token"]);

        Assert.Equal("st-1", fragment["state"]);
        Assert.Equal(SimulatorHost.OtherWallet, claims["sub"]!.GetValue<string>());
        Assert.Equal("TESTNET", claims["network_type"]!.GetValue<string>());
        Assert.Equal(uuid, claims["payload_uuidv4"]!.GetValue<string>());
    }

    [Fact]
    public async Task Form_rejection_answers_access_denied_in_the_fragment()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await AuthorizeTests.OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery(responseType: "token"));

        using var response = await AuthorizeTests.DecideAsync(host, uuid, "reject", SimulatorHost.Wallet, "MAINNET");
        var location = response.Headers.Location!.ToString();
        var fragment = Fragment(response);

        Assert.StartsWith(SimulatorHost.RedirectUri + "#", location, StringComparison.Ordinal);
        Assert.Equal("access_denied", fragment["error"]);
        Assert.Equal("st-1", fragment["state"]);
        Assert.False(fragment.ContainsKey("access_token"));
    }

    [Fact]
    public async Task Wallet_outside_signers_is_denied_in_the_fragment()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.OtherWallet);

        var fragment = await ImplicitAsync(host, SimulatorHost.AuthorizeQuery(responseType: "token", extra: "signers=" + SimulatorHost.Wallet));

        Assert.Equal("access_denied", fragment["error"]);
        Assert.False(fragment.ContainsKey("access_token"));
    }

    [Fact]
    public async Task Continue_after_approval_elsewhere_hands_out_the_token_once()
    {
        await using var host = await SimulatorHost.StartAsync();
        var uuid = await AuthorizeTests.OpenSignPageAsync(host, SimulatorHost.AuthorizeQuery(responseType: "token"));
        host.State.Approve(uuid, SimulatorHost.Wallet, null);

        using var done = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth/continue?payload={uuid}");
        using var again = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth/continue?payload={uuid}");

        Assert.False(string.IsNullOrEmpty(Fragment(done)["access_token"]));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task Hybrid_response_types_are_still_refused()
    {
        await using var host = await SimulatorHost.StartAsync(o => o.AutoApprove = SimulatorHost.Wallet);

        var parameters = await host.AuthorizeAsync(SimulatorHost.AuthorizeQuery(responseType: "code token"));

        Assert.Equal("unsupported_response_type", parameters["error"]);
        Assert.Empty(host.State.Payloads());
    }

    private static async Task<Dictionary<string, string>> ImplicitAsync(SimulatorHost host, string query)
    {
        using var response = await host.Client.GetAsync($"{SimulatorHost.Prefix}/auth?{query}");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return Fragment(response);
    }

    /// <summary>The parameters of the redirect's fragment; fails when the redirect has none.</summary>
    private static Dictionary<string, string> Fragment(HttpResponseMessage response)
    {
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(SimulatorHost.RedirectUri, location, StringComparison.Ordinal);
        var hash = location.IndexOf('#', StringComparison.Ordinal);
        Assert.True(hash >= 0, "The redirect has no fragment: " + location);
        return QueryHelpers.ParseQuery(location[(hash + 1)..]).ToDictionary(p => p.Key, p => p.Value.ToString());
    }
}
