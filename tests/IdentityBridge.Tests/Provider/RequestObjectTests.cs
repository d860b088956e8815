using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityBridge.Audit;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// Signed request objects (RFC 9101, JAR) at the authorize endpoint and in pushed authorization requests (RFC 9126 §3),
/// for a client with a registered JWKS: only the object's parameters count, and a bad object is never redirected.
/// </summary>
public sealed class RequestObjectTests(ProviderHost host) : IClassFixture<ProviderHost>
{
    private const string JwtBearer = RequestObjects.JwtBearer;

    [Fact]
    public async Task A_signed_request_object_completes_a_login_and_its_code_is_redeemed()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver);
        // OIDC Core §6.1: max_age is a JSON number in a request object.
        claims["max_age"] = 3600;

        var response = await driver.AuthorizeSignedInAsync(Query(Sign(claims)));

        var callback = OidcDriver.Callback(response);
        Assert.StartsWith(TestClients.Redirect + "?", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(claims["state"], callback["state"]);
        var tokens = await RedeemAsync(driver, callback["code"]);
        Assert.Equal(claims["nonce"], OidcDriver.Jwt(tokens.GetProperty("id_token").GetString()!).GetClaim("nonce").Value);
    }

    [Fact]
    public async Task A_login_that_outlasts_the_object_still_completes_the_request()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver);
        claims["exp"] = host.Clock.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds();
        var login = await driver.AuthorizeAsync(Query(Sign(claims)));
        Assert.StartsWith("/login?", login.Headers.Location!.OriginalString, StringComparison.Ordinal);

        host.Clock.Advance(TimeSpan.FromMinutes(3));
        var response = await driver.SignInAtLoginAsync(login);

        var callback = OidcDriver.Callback(response);
        Assert.Equal(claims["state"], callback["state"]);
        Assert.True(callback.ContainsKey("code"), response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Only_the_parameters_of_the_object_count_not_those_beside_it_in_the_query()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver, scope: "openid");
        var query = Query(Sign(claims));
        // RFC 9101 §6.3: each of these would be refused, or change the answer, if it were read.
        query["redirect_uri"] = "https://evil.example/cb";
        query["scope"] = "openid bridge.admin";
        query["state"] = "from-the-query";
        query["response_type"] = "token";

        var response = await driver.AuthorizeSignedInAsync(query);

        Assert.StartsWith(TestClients.Redirect + "?", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var callback = OidcDriver.Callback(response);
        Assert.Equal(claims["state"], callback["state"]);
        var tokens = await RedeemAsync(driver, callback["code"]);
        Assert.Equal("openid", tokens.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_parameter_the_object_does_not_carry_is_missing_even_when_the_query_has_it()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver);
        claims.Remove("scope");
        var query = Query(Sign(claims));
        query["scope"] = "openid";

        var callback = OidcDriver.Callback(await driver.AuthorizeAsync(query));

        Assert.Equal("invalid_scope", callback["error"]);
        Assert.Equal(claims["state"], callback["state"]);
    }

    public static TheoryData<string> Refusals() =>
    [
        "alg none", "HS256", "another key", "iss", "aud", "no exp", "expired", "exp as a string", "nbf ahead", "iat ahead",
        "lifetime over an hour", "client_id claim", "no client_id claim", "nested request", "nested request_uri", "JWE",
        "scope as an array", "redirect_uri as a number", "typ of another kind of JWT", "not a JWT",
    ];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_request_object_is_refused_on_a_page_never_redirected(string flaw)
    {
        var driver = new OidcDriver(host);

        var response = await driver.AuthorizeAsync(Query(Flawed(driver, flaw)));

        await AssertPageAsync(response, "invalid_request_object");
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_bad_request_object_is_refused_at_the_par_endpoint(string flaw)
    {
        var driver = new OidcDriver(host);

        var response = await PushAsync(driver, new Dictionary<string, string> { ["request"] = Flawed(driver, flaw) });

        await OidcDriver.AssertError(response, HttpStatusCode.BadRequest, "invalid_request_object");
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task The_client_id_query_parameter_is_required_beside_the_object()
    {
        var driver = new OidcDriver(host);
        var query = new Dictionary<string, string> { ["request"] = Sign(ObjectClaims(driver)) };

        var response = await driver.AuthorizeAsync(query);

        // RFC 9101 §5: the client_id of the object does not stand in for the one that must be sent beside it.
        await AssertPageAsync(response, "The client_id parameter is missing: it must be sent beside the request object.");
    }

    [Fact]
    public async Task The_client_id_query_parameter_must_be_the_one_in_the_object()
    {
        var driver = new OidcDriver(host);
        var query = Query(Sign(ObjectClaims(driver)));
        query["client_id"] = TestClients.Web;

        await AssertPageAsync(await driver.AuthorizeAsync(query), "invalid_request_object");
    }

    [Fact]
    public async Task A_client_without_registered_keys_cannot_send_a_request_object()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver, TestClients.Web);

        await AssertPageAsync(await driver.AuthorizeAsync(Query(Sign(claims), TestClients.Web)), "invalid_request_object");

        var p = new Dictionary<string, string> { ["request"] = Sign(claims), ["client_id"] = TestClients.Web };
        await OidcDriver.AssertError(await PushedAuthorizationTests.PushAsync(driver, p), HttpStatusCode.BadRequest, "invalid_request_object");
    }

    [Fact]
    public async Task A_pushed_request_object_is_stored_as_its_parameters_and_completes_a_login()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver, scope: "openid profile");
        var body = new Dictionary<string, string>
        {
            ["request"] = Sign(claims),
            // Outside the object: ignored (RFC 9126 §3, RFC 9101 §6.3).
            ["scope"] = "openid bridge.admin",
            ["redirect_uri"] = "https://evil.example/cb",
        };

        var pushed = await OidcDriver.Json(await PushAsync(driver, body), HttpStatusCode.Created);
        var response = await driver.AuthorizeSignedInAsync(new Dictionary<string, string>
        {
            ["client_id"] = TestClients.Jwt,
            ["request_uri"] = pushed.GetProperty("request_uri").GetString()!,
        });

        Assert.StartsWith(TestClients.Redirect + "?", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var callback = OidcDriver.Callback(response);
        Assert.Equal(claims["state"], callback["state"]);
        var tokens = await RedeemAsync(driver, callback["code"]);
        Assert.Equal("openid profile", tokens.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_refused_pushed_request_object_is_audited_without_the_object()
    {
        var driver = new OidcDriver(host);
        var claims = ObjectClaims(driver);
        claims["aud"] = "https://other-as.example";
        var jws = Sign(claims);

        var events = await host.AuditEventsDuringAsync(async () =>
            await OidcDriver.AssertError(await PushAsync(driver, new Dictionary<string, string> { ["request"] = jws }), HttpStatusCode.BadRequest, "invalid_request_object"));

        var refused = Assert.Single(events, e => e.Type == AuditTypes.PushedAuthorizationRefused);
        Assert.Equal(TestClients.Jwt, refused.ClientId);
        Assert.Equal(TestClients.Jwt, refused.Actor);
        Assert.StartsWith("invalid_request_object: ", refused.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => (e.Details ?? "").Contains(jws.Split('.')[2], StringComparison.Ordinal)
            || (e.Reason ?? "").Contains(jws.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discovery_announces_signed_request_objects_and_still_no_request_uri_of_the_clients_own()
    {
        var doc = JsonDocument.Parse(await host.CreateApiClient().GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.True(doc.GetProperty("request_parameter_supported").GetBoolean());
        Assert.False(doc.GetProperty("request_uri_parameter_supported").GetBoolean());
        var algs = doc.GetProperty("request_object_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()!).ToArray();
        Assert.Equal(["RS256", "ES256", "PS256"], algs);
    }

    /// <summary>The authorization parameters of <paramref name="driver"/> as the claims of a request object good for five minutes.</summary>
    private Dictionary<string, object> ObjectClaims(OidcDriver driver, string clientId = TestClients.Jwt, string scope = "openid profile email") =>
        RequestObjects.Claims(host, driver, clientId, scope);

    private static string Sign(Dictionary<string, object> claims, string typ = "oauth-authz-req+jwt", RSA? key = null) =>
        RequestObjects.Sign(claims, typ, key);

    /// <summary>A request object with one flaw.</summary>
    private string Flawed(OidcDriver driver, string flaw)
    {
        var claims = ObjectClaims(driver);
        var now = host.Clock.GetUtcNow().ToUnixTimeSeconds();
        switch (flaw)
        {
            case "alg none": return Unsigned("none", claims) + ".";
            case "HS256":
            {
                var unsigned = Unsigned("HS256", claims);
                return unsigned + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(Encoding.ASCII.GetBytes("a shared secret of 32 bytes......"), Encoding.ASCII.GetBytes(unsigned)));
            }
            case "another key": return Sign(claims, key: RSA.Create(2048));
            case "iss": claims["iss"] = TestClients.Web; break;
            case "aud": claims["aud"] = "https://other-as.example"; break;
            case "no exp": claims.Remove("exp"); break;
            case "expired": claims["exp"] = now - 120; claims["iat"] = claims["nbf"] = now - 600; break;
            case "exp as a string": claims["exp"] = (now + 300).ToString(System.Globalization.CultureInfo.InvariantCulture); break;
            case "nbf ahead": claims["nbf"] = now + 600; claims["exp"] = now + 900; break;
            case "iat ahead": claims.Remove("nbf"); claims["iat"] = now + 600; claims["exp"] = now + 900; break;
            case "lifetime over an hour": claims["exp"] = now + 3601; break;
            case "client_id claim": claims["client_id"] = TestClients.Web; break;
            case "no client_id claim": claims.Remove("client_id"); break;
            case "nested request": claims["request"] = Sign(ObjectClaims(driver)); break;
            case "nested request_uri": claims["request_uri"] = "urn:ietf:params:oauth:request_uri:abc"; break;
            case "JWE": return "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIn0.a2V5.aXY.Y2lwaGVy.dGFn";
            case "scope as an array": claims["scope"] = new[] { "openid", "profile" }; break;
            case "redirect_uri as a number": claims["redirect_uri"] = 42; break;
            case "typ of another kind of JWT": return Sign(claims, typ: "at+jwt");
            case "not a JWT": return "not-a-jwt";
            default: throw new ArgumentException(flaw);
        }
        return Sign(claims);
    }

    private static string Unsigned(string alg, Dictionary<string, object> claims) =>
        Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = alg, ["typ"] = "oauth-authz-req+jwt" }))
        + "." + Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));

    private static Dictionary<string, string> Query(string requestObject, string clientId = TestClients.Jwt) =>
        RequestObjects.Query(requestObject, clientId);

    private static async Task AssertPageAsync(HttpResponseMessage response, string expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected an error page, got {(int)response.StatusCode} {response.Headers.Location}: {body}");
        Assert.Null(response.Headers.Location);
        Assert.Contains(expected, body, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PushAsync(OidcDriver driver, Dictionary<string, string> body) => RequestObjects.PushAsync(host, driver, body);

    internal async Task<JsonElement> RedeemAsync(OidcDriver driver, string code)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = TestClients.Redirect,
            ["code_verifier"] = driver.Verifier,
            ["client_assertion_type"] = JwtBearer,
            ["client_assertion"] = ClientAssertionBuilder.Sign("RS256", ClientAssertionBuilder.Claims(host.Clock, BridgeFactory.Issuer)),
        };
        return await OidcDriver.Json(await driver.TokenAsync(form), HttpStatusCode.OK);
    }
}
