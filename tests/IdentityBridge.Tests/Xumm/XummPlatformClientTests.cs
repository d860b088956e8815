using System.Net;
using System.Text.Json.Nodes;
using IdentityBridge.Xumm;
using static IdentityBridge.Tests.Xumm.XummSamples;

namespace IdentityBridge.Tests.Xumm;

public sealed class XummPlatformClientTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeHttpHandler _handler = new();
    private readonly CapturingLogger<XummPlatformClient> _logger = new();

    [Fact]
    public async Task Every_call_carries_the_credentials_and_asks_for_json()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadCreated)
            .Respond(HttpStatusCode.OK, PayloadDetails)
            .Respond(HttpStatusCode.OK, PayloadCancelled)
            .Respond(HttpStatusCode.OK, XAppOttFlat)
            .Respond(HttpStatusCode.OK, UserTokens);
        var client = Client();

        Assert.True((await client.CreatePayloadAsync(XummPayloadRequest.SignIn())).IsSuccess);
        Assert.True((await client.GetPayloadAsync(PayloadUuid)).IsSuccess);
        Assert.True((await client.CancelPayloadAsync(PayloadUuid)).IsSuccess);
        Assert.True((await client.ResolveXAppOttAsync("ott-1")).IsSuccess);
        Assert.True((await client.VerifyUserTokensAsync([UserToken])).IsSuccess);

        Assert.Equal(5, _handler.Requests.Count);
        foreach (var request in _handler.Requests)
        {
            Assert.Equal(ApiKey, request.Headers["x-api-key"]);
            Assert.Equal(ApiSecret, request.Headers["x-api-secret"]);
            Assert.Equal("application/json", request.Headers["Accept"]);
        }

        Assert.Equal(
            [
                $"POST {BaseUrl}/payload",
                $"GET {BaseUrl}/payload/{PayloadUuid}",
                $"DELETE {BaseUrl}/payload/{PayloadUuid}",
                $"GET {BaseUrl}/xapp/ott/ott-1",
                $"POST {BaseUrl}/user-tokens",
            ],
            _handler.Requests.Select(r => $"{r.Method} {r.Uri}"));
    }

    [Fact]
    public async Task Create_payload_writes_the_documented_snake_case_body()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadCreated);
        var request = XummPayloadRequest.SignIn(
            new XummPayloadOptions
            {
                Submit = false,
                Expire = 5,
                ReturnUrl = new XummReturnUrl { App = "https://bridge.example/r?app", Web = "https://bridge.example/r" },
                ForceNetwork = "MAINNET",
                Signers = [Account],
            },
            new XummCustomMeta { Identifier = "login-42", Instruction = "Sign in to Contoso" },
            UserToken);

        await Client().CreatePayloadAsync(request);

        var sent = _handler.Requests.Single();
        Assert.Equal("application/json", sent.ContentType);
        var body = JsonNode.Parse(sent.Body!)!.AsObject();
        Assert.Equal("SignIn", (string?)body["txjson"]!["TransactionType"]);
        Assert.False((bool)body["options"]!["submit"]!);
        Assert.Equal(5, (int)body["options"]!["expire"]!);
        Assert.Equal("https://bridge.example/r?app", (string?)body["options"]!["return_url"]!["app"]);
        Assert.Equal("https://bridge.example/r", (string?)body["options"]!["return_url"]!["web"]);
        Assert.Equal("MAINNET", (string?)body["options"]!["force_network"]);
        Assert.Equal(Account, (string?)body["options"]!["signers"]![0]);
        Assert.Equal("login-42", (string?)body["custom_meta"]!["identifier"]);
        Assert.Equal("Sign in to Contoso", (string?)body["custom_meta"]!["instruction"]);
        Assert.False(body["custom_meta"]!.AsObject().ContainsKey("blob"));
        Assert.Equal(UserToken, (string?)body["user_token"]);
    }

    [Fact]
    public async Task Create_payload_maps_the_answer()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadCreated);

        var result = await Client().CreatePayloadAsync(XummPayloadRequest.SignIn());

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var created = result.Value;
        Assert.Equal(PayloadUuid, created.Uuid);
        Assert.Equal($"https://xumm.app/sign/{PayloadUuid}", created.Next.Always);
        Assert.Equal($"https://xumm.app/sign/{PayloadUuid}/qr", created.Next.NoPushMsgReceived);
        Assert.Equal($"https://xumm.app/sign/{PayloadUuid}_q.png", created.Refs!.QrPng);
        Assert.Equal($"https://xumm.app/sign/{PayloadUuid}_q.json", created.Refs.QrMatrix);
        Assert.Equal($"wss://xumm.app/sign/{PayloadUuid}", created.Refs.WebsocketStatus);
        Assert.Equal(["m", "q", "h"], created.Refs.QrUriQualityOpts!);
        Assert.True(created.Pushed);
    }

    [Fact]
    public async Task Get_payload_maps_the_answer()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadDetails);

        var result = await Client().GetPayloadAsync(PayloadUuid);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var details = result.Value;
        Assert.True(details.Meta.Exists);
        Assert.Equal(PayloadUuid, details.Meta.Uuid);
        Assert.True(details.Meta.Resolved);
        Assert.True(details.Meta.Signed);
        Assert.False(details.Meta.Cancelled);
        Assert.False(details.Meta.Expired);
        Assert.False(details.Meta.OpenedByDeeplink);
        Assert.True(details.Meta.AppOpened);
        Assert.Equal("https://bridge.example/signin/return", details.Meta.ReturnUrlWeb);
        Assert.Equal(ApiKey, details.Application!.Uuidv4);
        Assert.Equal("Identity Bridge", details.Application.Name);
        Assert.Equal(UserToken, details.Application.IssuedUserToken);
        Assert.Equal(Account, details.Response!.Account);
        Assert.Equal("732102A1B2C3D474473045022100ABCDEF", details.Response.Hex);
        Assert.StartsWith("E7A7C1B5", details.Response.Txid, StringComparison.Ordinal);
        Assert.Equal("MAINNET", details.Response.EnvironmentNodetype);
        Assert.Equal("wss://xrplcluster.com", details.Response.EnvironmentNodeuri);
        Assert.Equal(0, details.Response.EnvironmentNetworkid);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 12, 0, 4, TimeSpan.Zero), details.Response.ResolvedAt);
        Assert.Equal("BIOMETRIC", details.Response.ApprovedWith);
        Assert.Equal("login-42", details.CustomMeta!.Identifier);
        Assert.Equal("Sign in to Contoso", details.CustomMeta.Instruction);
        Assert.Equal("oidc", details.CustomMeta.Blob!.Value.GetProperty("flow").GetString());
        Assert.Equal("SignIn", details.Payload!.Value.GetProperty("tx_type").GetString());
    }

    [Fact]
    public async Task Unresolved_payload_maps_with_empty_response()
    {
        _handler.Respond(HttpStatusCode.OK, """
            {
              "meta": { "exists": true, "uuid": "u", "resolved": false, "signed": false, "cancelled": false,
                        "expired": false, "opened_by_deeplink": null },
              "application": { "name": "Identity Bridge", "uuidv4": "k", "issued_user_token": null },
              "response": { "hex": null, "txid": null, "resolved_at": null, "account": null,
                            "environment_nodetype": null, "environment_nodeuri": null, "environment_networkid": null },
              "custom_meta": { "identifier": null, "blob": null, "instruction": null }
            }
            """);

        var result = await Client().GetPayloadAsync("u");

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.False(result.Value.Meta.Resolved);
        Assert.Null(result.Value.Meta.OpenedByDeeplink);
        Assert.Null(result.Value.Response!.Account);
        Assert.Null(result.Value.Response.ResolvedAt);
        Assert.Null(result.Value.Application!.IssuedUserToken);
    }

    [Fact]
    public async Task Cancel_payload_maps_the_answer()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadCancelled);

        var result = await Client().CancelPayloadAsync(PayloadUuid);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.True(result.Value.Result.Cancelled);
        Assert.Equal("OK", result.Value.Result.Reason);
        Assert.True(result.Value.Meta!.Cancelled);
    }

    [Fact]
    public async Task Xapp_ott_in_the_flat_shape_maps_to_context()
    {
        _handler.Respond(HttpStatusCode.OK, XAppOttFlat);

        var result = await Client().ResolveXAppOttAsync("ott-1");

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var context = result.Value;
        Assert.Equal(Account, context.Account);
        Assert.Equal("TESTNET", context.NetworkType);
        Assert.Equal("wss://s.altnet.rippletest.net:51233", context.NetworkEndpoint);
        Assert.Equal("a5f3b2c1-0000-4000-8000-000000000001", context.User);
        Assert.Equal("FULL", context.AccountAccess);
        Assert.Equal("REGULAR", context.AccountType);
        Assert.Equal(PayloadUuid, context.OriginPayload);
        Assert.False(context.Blocked);
        Assert.Null(context.Jwt);
    }

    [Theory]
    [InlineData("""{ "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "account_info": { "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "blocked": true } }""")]
    [InlineData("""{ "ott": { "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "account_info": { "blocked": "true" } }, "jwt": "x.y.z" }""")]
    [InlineData("""{ "ott": { "account": "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh" }, "account_info": { "blocked": true }, "jwt": "x.y.z" }""")]
    public async Task Xapp_ott_reports_an_account_on_the_blocklist(string body)
    {
        _handler.Respond(HttpStatusCode.OK, body);

        var result = await Client().ResolveXAppOttAsync("ott-1");

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.True(result.Value.Blocked);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task A_dot_segment_is_never_sent_as_a_token_or_payload_uuid(string value)
    {
        // RFC 3986 section 5.2.4 removes "." and ".." segments (escaped or not): "xapp/ott/.." would ask the
        // platform about "xapp/" with the API credentials.
        _handler.Respond(HttpStatusCode.NotFound, """{"error":{"code":404,"reference":""}}""");

        await Assert.ThrowsAsync<ArgumentException>(() => Client().ResolveXAppOttAsync(value));
        await Assert.ThrowsAsync<ArgumentException>(() => Client().GetPayloadAsync(value));
        await Assert.ThrowsAsync<ArgumentException>(() => Client().CancelPayloadAsync(value));
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task Xapp_ott_with_jwt_maps_to_context_and_the_jwt_verifies()
    {
        var jwt = XAppJwt.Create(
            new XAppJwtDescriptor { ApiKey = ApiKey, Account = Account, IssuedAt = _time.GetUtcNow(), UserToken = UserToken },
            ApiSecret);
        _handler.Respond(HttpStatusCode.OK, XAppOttNested(jwt));

        var result = await Client().ResolveXAppOttAsync("ott/with spaces");

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var context = result.Value;
        Assert.Equal(Account, context.Account);
        Assert.Equal("MAINNET", context.NetworkType);
        Assert.Equal(0, context.NetworkId);
        Assert.Equal(UserToken, context.UserToken);
        Assert.Equal("Identity Bridge", context.AppName);
        Assert.Equal(jwt, context.Jwt);
        Assert.EndsWith("/xapp/ott/ott%2Fwith%20spaces", _handler.Requests.Single().Uri.AbsoluteUri, StringComparison.Ordinal);

        var verified = await new XAppJwtValidator(ApiKey, ApiSecret, _time).ValidateAsync(context.Jwt);
        Assert.True(verified.Succeeded);
        Assert.Equal(UserToken, verified.Identity.UserToken);
    }

    [Fact]
    public async Task Verify_user_tokens_sends_the_list_and_maps_each_answer()
    {
        _handler.Respond(HttpStatusCode.OK, UserTokens);

        var result = await Client().VerifyUserTokensAsync([UserToken, "00000000-968b-44c8-8835-f25da1214f35", UserToken]);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var body = JsonNode.Parse(_handler.Requests.Single().Body!)!;
        Assert.Equal([UserToken, "00000000-968b-44c8-8835-f25da1214f35"], body["tokens"]!.AsArray().Select(t => (string?)t));
        Assert.Collection(
            result.Value,
            first =>
            {
                Assert.Equal(UserToken, first.UserToken);
                Assert.True(first.Active);
                Assert.Equal(1748779200, first.Issued);
                Assert.Equal(1751371200, first.Expires);
            },
            second =>
            {
                Assert.False(second.Active);
                Assert.Null(second.Expires);
            });
    }

    [Fact]
    public async Task Verify_user_tokens_with_nothing_to_ask_makes_no_call()
    {
        var result = await Client().VerifyUserTokensAsync([]);

        Assert.True(result.IsSuccess);
        Assert.Empty(result.Value);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task Platform_error_object_becomes_an_upstream_error()
    {
        _handler.Respond(HttpStatusCode.NotFound, PayloadNotFound);

        var result = await Client().GetPayloadAsync(PayloadUuid);

        Assert.False(result.IsSuccess);
        Assert.Equal(XummErrorKind.Upstream, result.Error.Kind);
        Assert.Equal(404, result.Error.StatusCode);
        Assert.Equal("404", result.Error.UpstreamCode);
        Assert.Equal("d1b8e2c0-1b2a-4c3d-9e8f-7a6b5c4d3e2f", result.Error.UpstreamReference);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Oauth_style_error_becomes_an_upstream_error()
    {
        _handler.Respond(HttpStatusCode.Forbidden, """{ "error": "access_denied", "error_description": "Application disabled" }""");

        var result = await Client().CreatePayloadAsync(XummPayloadRequest.SignIn());

        Assert.Equal(XummErrorKind.Upstream, result.Error!.Kind);
        Assert.Equal("access_denied", result.Error.UpstreamCode);
        Assert.Equal("Application disabled", result.Error.Description);
    }

    [Fact]
    public async Task Error_status_without_json_becomes_an_http_error()
    {
        _handler.Respond(HttpStatusCode.BadGateway, null, r => r.Content = new StringContent("<html>bad gateway</html>"));

        var result = await Client().CreatePayloadAsync(XummPayloadRequest.SignIn());

        Assert.Equal(XummErrorKind.Http, result.Error!.Kind);
        Assert.Equal(502, result.Error.StatusCode);
    }

    [Theory]
    [InlineData("create", "not json")]
    [InlineData("create", "[]")]
    [InlineData("create", """{ "next": { "always": "https://xumm.app/sign/x" } }""")]
    [InlineData("create", """{ "uuid": "", "next": { "always": "https://xumm.app/sign/x" } }""")]
    [InlineData("create", """{ "uuid": "x", "next": {} }""")]
    [InlineData("create", """{ "uuid": "x", "next": { "always": 5 } }""")]
    // Present but explicitly null: "required" alone lets these through.
    [InlineData("create", """{ "uuid": "x", "next": null, "pushed": false }""")]
    [InlineData("create", """{ "uuid": null, "next": { "always": "https://xumm.app/sign/x" } }""")]
    [InlineData("create", """{ "uuid": "x", "next": { "always": null } }""")]
    // The deep link becomes a link and a QR code on the bridge's page: a web address or nothing.
    [InlineData("create", """{ "uuid": "x", "next": { "always": "javascript:alert(1)" } }""")]
    [InlineData("create", """{ "uuid": "x", "next": { "always": "data:text/html,hi" } }""")]
    [InlineData("create", """{ "uuid": "x", "next": { "always": "/sign/x" } }""")]
    [InlineData("get", "[]")]
    [InlineData("get", "{}")]
    [InlineData("get", """{ "meta": null, "application": { "uuidv4": "k" }, "response": null, "custom_meta": null }""")]
    [InlineData("cancel", "{}")]
    [InlineData("cancel", """{ "result": null, "meta": null, "custom_meta": null }""")]
    [InlineData("xapp", """{ "account": null, "jwt": null }""")]
    [InlineData("user-tokens", """{ "tokens": null }""")]
    [InlineData("user-tokens", """{ "tokens": [null] }""")]
    [InlineData("user-tokens", """{ "tokens": [{ "user_token": null, "active": false }] }""")]
    public async Task Success_status_with_an_unusable_body_is_an_invalid_response(string endpoint, string body)
    {
        _handler.Respond(HttpStatusCode.OK, body);
        var client = Client();

        var error = endpoint switch
        {
            "create" => (await client.CreatePayloadAsync(XummPayloadRequest.SignIn())).Error,
            "get" => (await client.GetPayloadAsync(PayloadUuid)).Error,
            "cancel" => (await client.CancelPayloadAsync(PayloadUuid)).Error,
            "xapp" => (await client.ResolveXAppOttAsync("ott-1")).Error,
            _ => (await client.VerifyUserTokensAsync([UserToken])).Error,
        };

        Assert.NotNull(error);
        Assert.Equal(XummErrorKind.InvalidResponse, error.Kind);
    }

    [Fact]
    public async Task Fields_the_platform_sends_as_null_are_still_read()
    {
        _handler.Respond(HttpStatusCode.OK, """
                { "uuid": "x", "next": { "always": "https://xumm.app/sign/x", "no_push_msg_received": null },
                  "refs": { "qr_png": null, "qr_matrix": null, "qr_uri_quality_opts": null, "websocket_status": null }, "pushed": false }
                """)
            .Respond(HttpStatusCode.OK, """{ "result": { "cancelled": false, "reason": null }, "meta": null, "custom_meta": null }""")
            .Respond(HttpStatusCode.OK, """{ "meta": { "resolved": false, "signed": false, "cancelled": false, "expired": false }, "application": null, "payload": null, "response": null, "custom_meta": null }""")
            .Respond(HttpStatusCode.OK, """{ "tokens": [{ "user_token": "t", "active": false, "issued": null, "expires": null }] }""");
        var client = Client();

        var created = await client.CreatePayloadAsync(XummPayloadRequest.SignIn());
        var cancelled = await client.CancelPayloadAsync("x");
        var details = await client.GetPayloadAsync("x");
        var tokens = await client.VerifyUserTokensAsync(["t"]);

        Assert.True(created.IsSuccess, created.Error?.ToString());
        Assert.Null(created.Value.Next.NoPushMsgReceived);
        Assert.True(cancelled.IsSuccess, cancelled.Error?.ToString());
        Assert.Null(cancelled.Value.Result.Reason);
        Assert.True(details.IsSuccess, details.Error?.ToString());
        Assert.Null(details.Value.Response);
        Assert.True(tokens.IsSuccess, tokens.Error?.ToString());
        Assert.Equal("t", Assert.Single(tokens.Value).UserToken);
    }

    [Fact]
    public async Task Xapp_ott_answer_without_account_or_jwt_is_an_invalid_response()
    {
        _handler.Respond(HttpStatusCode.OK, """{ "locale": "en" }""");

        var result = await Client().ResolveXAppOttAsync("ott-1");

        Assert.Equal(XummErrorKind.InvalidResponse, result.Error!.Kind);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_turned_into_an_error()
    {
        _handler.Hang();
        using var cancellation = new CancellationTokenSource();
        var pending = Client().GetPayloadAsync(PayloadUuid, cancellation.Token);
        await _handler.WaitForRequestAsync(1);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public void Invalid_settings_are_refused_naming_the_key_not_the_value()
    {
        var options = new XummPlatformOptions { ApiKey = ApiKey, ApiSecret = "line\nbreak-secret", ApiBaseUrl = "xumm.app" };

        var error = Assert.Throws<ArgumentException>(() => new XummPlatformClient(new HttpClient(_handler), options, _time, _logger));

        Assert.Contains("Xumm:ApiSecret", error.Message, StringComparison.Ordinal);
        Assert.Contains("Xumm:ApiBaseUrl", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("break-secret", error.Message, StringComparison.Ordinal);
    }

    private XummPlatformClient Client() => new(
        new HttpClient(_handler),
        new XummPlatformOptions { ApiKey = ApiKey, ApiSecret = ApiSecret, ApiBaseUrl = BaseUrl + "/" },
        _time,
        _logger);
}
