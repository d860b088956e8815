using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Every endpoint of the provider, fed requests the <see cref="RequestFuzzer"/> derives from valid ones (a fixed seed
/// per area): never a 5xx, no exception text, no redirect to an unregistered URI, and the host keeps answering.
/// </summary>
public sealed class ProviderFuzzTests(ProviderHost host, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ProviderHost>
{
    private const int Budget = 80;

    /// <summary>The clients' registered URIs, and the upstream sign-in (the in-process simulator's authorize endpoint).</summary>
    private static readonly string[] Registered =
        [TestClients.Redirect, TestClients.Loopback, TestClients.PostLogout, BridgeFactory.Issuer + IdentityBridge.Federation.DevelopmentSimulator.Prefix + "/auth"];

    public static TheoryData<string> Areas => new()
    {
        "discovery", "authorize", "par", "authorize-pushed", "token-code", "token-refresh", "token-client-credentials", "token-assertion", "token-other-grants",
        "userinfo", "introspection", "revocation", "endsession", "consent", "pages", "dpop",
    };

    [Theory]
    [MemberData(nameof(Areas))]
    public async Task Hostile_requests_never_break_the_provider(string area)
    {
        var checks = new FuzzChecks(Registered);
        var fuzzer = new RequestFuzzer(Seed(area));
        foreach (var (fresh, every) in Targets(area))
        {
            var (client, request) = await fresh();
            for (var i = 0; i < Budget; i++)
            {
                if (i > 0 && i % every == 0) (client, request) = await fresh();
                (await checks.SendAsync(client, fuzzer.Mutate(request), area)).Dispose();
            }
        }
        var discovery = await host.CreateApiClient().GetAsync("/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        output.WriteLine(checks.Summary);
        checks.AssertNone();
    }

    /// <summary>A seed of its own for each area, the same on every run.</summary>
    internal static int Seed(string area) => area.Aggregate(17, (h, c) => unchecked(h * 31 + c));

    private delegate Task<(HttpClient Client, FuzzRequest Request)> Fresh();

    private IEnumerable<(Fresh Fresh, int Every)> Targets(string area)
    {
        switch (area)
        {
            case "discovery":
                yield return (() => Api(Get("/.well-known/openid-configuration")), int.MaxValue);
                yield return (() => Api(Get("/.well-known/oauth-authorization-server")), int.MaxValue);
                yield return (() => Api(Get("/.well-known/jwks.json")), int.MaxValue);
                break;
            case "authorize":
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    return (driver.Browser, Get("/connect/authorize", driver.Params()));
                }, 20);
                yield return (async () =>
                {
                    var driver = new OidcDriver(host);
                    return (driver.Browser, Get("/connect/authorize", driver.Params(TestClients.Spa)));
                }, int.MaxValue);
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    return (driver.Browser, Post("/connect/authorize", null, driver.Params(TestClients.Consent)));
                }, 20);
                break;
            case "par":
                yield return (() => Api(Post("/connect/par", Basic(TestClients.Web, TestClients.WebSecret), new OidcDriver(host).Params())), int.MaxValue);
                yield return (() =>
                {
                    var p = new OidcDriver(host).Params(TestClients.Post);
                    p["client_secret"] = TestClients.PostSecret;
                    return Api(Post("/connect/par", null, p));
                }, int.MaxValue);
                yield return (() =>
                {
                    var p = new OidcDriver(host).Params(TestClients.Jwt);
                    p["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
                    p["client_assertion"] = ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, BridgeFactory.Issuer));
                    return Api(Post("/connect/par", null, p).With(ClientKeySigner));
                }, 10);
                break;
            case "authorize-pushed":
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var requestUri = await PushedAuthorizationTests.PushedAsync(driver, driver.Params());
                    return (driver.Browser, Get("/connect/authorize", ("client_id", TestClients.Web), ("request_uri", requestUri)));
                }, 10);
                yield return (async () =>
                {
                    var driver = new OidcDriver(host);
                    var requestUri = await PushedAuthorizationTests.PushedAsync(driver, driver.Params(TestClients.Consent), TestClients.Consent, "third-party-secret");
                    return (driver.Browser, Post("/connect/authorize", null, ("client_id", TestClients.Consent), ("request_uri", requestUri)));
                }, 10);
                break;
            case "token-code":
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var code = await driver.GetCodeAsync(driver.Params());
                    return (driver.Api, Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret),
                        ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", TestClients.Redirect), ("code_verifier", driver.Verifier)));
                }, 10);
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var code = await driver.GetCodeAsync(driver.Params(TestClients.Post));
                    return (driver.Api, Post("/connect/token", null, ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", TestClients.Redirect),
                        ("code_verifier", driver.Verifier), ("client_id", TestClients.Post), ("client_secret", TestClients.PostSecret)));
                }, 10);
                break;
            case "token-refresh":
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    return (host.CreateApiClient(), Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret),
                        ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!), ("scope", "openid profile")));
                }, 10);
                break;
            case "token-client-credentials":
                yield return (() => Api(Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret),
                    ("grant_type", "client_credentials"), ("scope", "openid"), ("resource", TestClients.Resource))), int.MaxValue);
                yield return (() => Api(Post("/connect/token", Basic(TestClients.Other, TestClients.OtherSecret), ("grant_type", "client_credentials"))), int.MaxValue);
                break;
            case "token-assertion":
                yield return (() => Api(Post("/connect/token", null, ("grant_type", "client_credentials"),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, BridgeFactory.Issuer))))
                    .With(ClientKeySigner)), 10);
                break;
            case "token-other-grants":
                yield return (() => Api(Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret),
                    ("grant_type", "urn:openid:params:grant-type:ciba"), ("auth_req_id", "abc"))), int.MaxValue);
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    return (host.CreateApiClient(), Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret),
                        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("subject_token", tokens.GetProperty("access_token").GetString()!),
                        ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token")).With(BridgeKeySigner));
                }, int.MaxValue);
                yield return (() => Api(Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret), ("grant_type", "password"), ("username", "a"), ("password", "b"))),
                    int.MaxValue);
                break;
            case "userinfo":
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    var request = Get("/connect/userinfo").With(BridgeKeySigner);
                    request.Headers.Add(new("Authorization", "Bearer " + tokens.GetProperty("access_token").GetString()));
                    return (host.CreateApiClient(), request);
                }, 20);
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    return (host.CreateApiClient(), Post("/connect/userinfo", null, ("access_token", tokens.GetProperty("access_token").GetString()!)).With(BridgeKeySigner));
                }, 20);
                break;
            case "dpop":
                // A token request and a userinfo request with a good DPoP proof, whose changed claims are signed with the proof's key.
                yield return (() =>
                {
                    var key = DPoPKey.NewEc();
                    var request = Post("/connect/token", Basic(TestClients.Web, TestClients.WebSecret), ("grant_type", "client_credentials")).With(key.Sign);
                    request.Headers.Add(new("DPoP", key.Proof(host.Clock, "POST", BridgeFactory.Issuer + "/connect/token")));
                    return Api(request);
                }, 5);
                yield return (async () =>
                {
                    var key = DPoPKey.NewEc();
                    var token = await BoundAccessTokenAsync(key);
                    var request = Get("/connect/userinfo").With(key.Sign);
                    request.Headers.Add(new("Authorization", "DPoP " + token));
                    request.Headers.Add(new("DPoP", key.Proof(host.Clock, "GET", BridgeFactory.Issuer + "/connect/userinfo", token)));
                    return (host.CreateApiClient(), request);
                }, 5);
                break;
            case "introspection":
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    return (host.CreateApiClient(), Post("/connect/introspect", Basic(TestClients.Web, TestClients.WebSecret),
                        ("token", tokens.GetProperty("access_token").GetString()!), ("token_type_hint", "access_token")).With(BridgeKeySigner));
                }, 40);
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    return (host.CreateApiClient(), Post("/connect/introspect", Basic(TestClients.Web, TestClients.WebSecret),
                        ("token", tokens.GetProperty("refresh_token").GetString()!), ("token_type_hint", "refresh_token")));
                }, 40);
                break;
            case "revocation":
                yield return (async () =>
                {
                    var tokens = await LoginAsync();
                    return (host.CreateApiClient(), Post("/connect/revoke", Basic(TestClients.Web, TestClients.WebSecret),
                        ("token", tokens.GetProperty("refresh_token").GetString()!), ("token_type_hint", "refresh_token")));
                }, 10);
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var code = await driver.GetCodeAsync(driver.Params(TestClients.Spa));
                    var tokens = await OidcDriver.Json(await driver.TokenAsync(new Dictionary<string, string>
                    {
                        ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect, ["code_verifier"] = driver.Verifier,
                        ["client_id"] = TestClients.Spa,
                    }), HttpStatusCode.OK);
                    return (driver.Api, Post("/connect/revoke", null, ("token", tokens.GetProperty("access_token").GetString()!), ("client_id", TestClients.Spa))
                        .With(BridgeKeySigner));
                }, 20);
                break;
            case "endsession":
                yield return (async () =>
                {
                    var driver = new OidcDriver(host);
                    var tokens = await driver.LoginAsync();
                    return (driver.Browser, Get("/connect/endsession", FuzzRequest.Pairs(("id_token_hint", tokens.GetProperty("id_token").GetString()!),
                        ("post_logout_redirect_uri", TestClients.PostLogout), ("state", "s1"), ("client_id", TestClients.Web))).With(BridgeKeySigner));
                }, 10);
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var confirm = await driver.Browser.GetAsync("/connect/endsession?client_id=web&post_logout_redirect_uri=" + Uri.EscapeDataString(TestClients.PostLogout));
                    var fields = HiddenFields(await confirm.Content.ReadAsStringAsync());
                    fields["confirm"] = "yes";
                    return (driver.Browser, Post("/connect/endsession", null, fields));
                }, 10);
                break;
            case "consent":
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var p = driver.Params(TestClients.Consent, scope: "openid email");
                    var location = (await driver.AuthorizeAsync(p)).Headers.Location!.OriginalString;
                    var returnUrl = QueryHelpers.ParseQuery(location[location.IndexOf('?')..])["returnUrl"].ToString();
                    return (driver.Browser, Get("/consent", FuzzRequest.Pairs(("returnUrl", returnUrl))));
                }, 20);
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var p = driver.Params(TestClients.Consent, scope: "openid email");
                    var location = (await driver.AuthorizeAsync(p)).Headers.Location!.OriginalString;
                    var page = await driver.Browser.GetAsync(location);
                    var fields = HiddenFields(await page.Content.ReadAsStringAsync());
                    fields["decision"] = "allow";
                    var request = Post(location.Split('?')[0], null, fields);
                    request.Query = [.. QueryHelpers.ParseQuery(location[location.IndexOf('?')..]).Select(q => new KeyValuePair<string, string?>(q.Key, Uri.EscapeDataString(q.Value.ToString())))];
                    return (driver.Browser, request);
                }, 5);
                break;
            case "pages":
                yield return (async () => ((await SignedInAsync()).Browser, Get("/login", FuzzRequest.Pairs(("returnUrl", "/connect/authorize?client_id=web"), ("login_hint", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh")))), 40);
                yield return (() => Browser(Get("/login/error", FuzzRequest.Pairs(("reason", "cancelled"), ("ref", "0HN:1"), ("returnUrl", "/account")))), int.MaxValue);
                yield return (async () => ((await SignedInAsync()).Browser, Get("/account", FuzzRequest.Pairs(("link", "linked")))), 40);
                yield return (async () =>
                {
                    var driver = await SignedInAsync();
                    var page = await driver.Browser.GetAsync("/account");
                    var fields = HiddenFields(await page.Content.ReadAsStringAsync());
                    var request = Post("/account", null, fields);
                    request.Query = FuzzRequest.Pairs(("handler", "Link"));
                    return (driver.Browser, request);
                }, 20);
                yield return (() => Browser(Get("/")), int.MaxValue);
                break;
        }
    }

    private Task<(HttpClient, FuzzRequest)> Api(FuzzRequest request) => Task.FromResult((host.CreateApiClient(), request));

    private Task<(HttpClient, FuzzRequest)> Browser(FuzzRequest request) => Task.FromResult((host.CreateBrowser(), request));

    private async Task<OidcDriver> SignedInAsync()
    {
        var driver = new OidcDriver(host);
        await driver.GetCodeAsync(driver.Params());
        return driver;
    }

    private Task<JsonElement> LoginAsync() => new OidcDriver(host).LoginAsync();

    /// <summary>An access token of the web client bound to <paramref name="key"/> (RFC 9449).</summary>
    private async Task<string> BoundAccessTokenAsync(DPoPKey key)
    {
        var driver = new OidcDriver(host);
        var code = await driver.GetCodeAsync(driver.Params());
        var redeem = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = TestClients.Redirect, ["code_verifier"] = driver.Verifier,
            }),
        };
        redeem.Headers.Authorization = OidcDriver.Basic(TestClients.Web, TestClients.WebSecret);
        redeem.Headers.Add("DPoP", key.Proof(host.Clock, "POST", BridgeFactory.Issuer + "/connect/token"));
        var tokens = await OidcDriver.Json(await driver.Api.SendAsync(redeem), HttpStatusCode.OK);
        return tokens.GetProperty("access_token").GetString()!;
    }

    private static FuzzRequest Get(string path, params (string Name, string Value)[] query) => new() { Method = "GET", Path = path, Query = FuzzRequest.Pairs(query) };

    private static FuzzRequest Get(string path, List<KeyValuePair<string, string?>> query) => new() { Method = "GET", Path = path, Query = query };

    private static FuzzRequest Get(string path, Dictionary<string, string> query) =>
        Get(path, query.Select(q => (q.Key, q.Value)).ToArray());

    private static FuzzRequest Post(string path, string? authorization, params (string Name, string Value)[] form)
    {
        var request = new FuzzRequest { Method = "POST", Path = path, Form = FuzzRequest.Pairs(form), ContentType = "application/x-www-form-urlencoded" };
        if (authorization is not null) request.Headers.Add(new("Authorization", authorization));
        return request;
    }

    private static FuzzRequest Post(string path, string? authorization, Dictionary<string, string> form) =>
        Post(path, authorization, form.Select(f => (f.Key, f.Value)).ToArray());

    private static string Basic(string id, string secret) => OidcDriver.Basic(id, secret).ToString();

    private static Dictionary<string, string> HiddenFields(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        var form = document.QuerySelector("form");
        return form is null
            ? []
            : form.QuerySelectorAll("input[type=hidden]").Where(i => i.GetAttribute("name") is not null)
                .GroupBy(i => i.GetAttribute("name")!).ToDictionary(g => g.Key, g => g.First().GetAttribute("value") ?? "");
    }

    /// <summary>Signs changed claims with the bridge's own test key (RSA, or EC for ES256), so they reach the claim checks.</summary>
    private static string BridgeKeySigner(string header, string payload)
    {
        var input = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var data = Encoding.ASCII.GetBytes(input);
        byte[] signature;
        if (header.Contains("ES256", StringComparison.Ordinal))
        {
            using var ec = ECDsa.Create();
            ec.ImportFromPem(File.ReadAllText(Path.Combine(TestSigningKeys.Folder, "ec.pem")));
            signature = ec.SignData(data, HashAlgorithmName.SHA256);
        }
        else
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(Path.Combine(TestSigningKeys.Folder, "rsa.pem")));
            signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        return input + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>Signs changed claims of a client assertion with the private_key_jwt client's key.</summary>
    private static string ClientKeySigner(string header, string payload)
    {
        var input = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payload);
        var signature = TestClients.JwtClientKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + Base64UrlEncoder.Encode(signature);
    }
}
