using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>Which parameters carry the code on the callback.</summary>
public enum CodeDelivery
{
    Both,
    CodeOnly,
    AuthorizationCodeOnly,
    None,
}

/// <summary>
/// A minimal OpenID provider on a TestServer that behaves like Xumm by default (no kid, code sent twice,
/// lower-case bearer, empty refresh_token, id_token identical to access_token) and can be told to misbehave.
/// </summary>
internal sealed class FakeOpenIdProvider : IAsyncDisposable
{
    public const string Issuer = "https://op.test";
    public const string ClientId = "8c1a7d5e-client";
    public const string ClientSecret = "s3cret-value";
    public const string RedirectUri = "https://rp.test/signin-oidc";
    public const string Subject = "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, IssuedCode> _codes = new();
    private int _discoveryRequests;
    private int _jwksRequests;
    private int _tokenRequests;

    private FakeOpenIdProvider(WebApplication app, TimeProvider time)
    {
        _app = app;
        Time = time;
        SigningKey = RSA.Create(2048);
        JwksKeys = [new PublishedKey(SigningKey, null)];
    }

    public TimeProvider Time { get; }

    public TestServer Server => _app.GetTestServer();

    /// <summary>Key used to sign ID tokens, and the kid put in their header (null: none).</summary>
    public RSA SigningKey { get; set; }

    public string? SigningKid { get; set; }

    /// <summary>Keys published at the JWKS endpoint.</summary>
    public List<PublishedKey> JwksKeys { get; set; }

    public bool MetadataDown { get; set; }

    public bool PublishEndSession { get; set; } = true;

    public CodeDelivery CodeDelivery { get; set; } = CodeDelivery.Both;

    public string? AuthorizeError { get; set; }

    public bool RequireBasicAuthentication { get; set; }

    public bool IssueRefreshTokens { get; set; }

    public bool PublicClient { get; set; }

    public (int Status, string Body)? TokenError { get; set; }

    public TaskCompletionSource? HoldTokenEndpoint { get; set; }

    public TaskCompletionSource TokenRequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Action<Dictionary<string, object?>>? EditClaims { get; set; }

    public Func<Dictionary<string, object?>, string>? WriteIdToken { get; set; }

    public Action<Dictionary<string, object?>>? EditTokenResponse { get; set; }

    public string? UserInfoSubject { get; set; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    public IReadOnlyDictionary<string, string>? LastAuthorizeRequest { get; private set; }

    public IReadOnlyDictionary<string, string>? LastEndSessionRequest { get; private set; }

    public string? LastAccessToken { get; private set; }

    public static async Task<FakeOpenIdProvider> StartAsync(TimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer(options => options.BaseAddress = new Uri(Issuer + "/"));
        var app = builder.Build();
        var provider = new FakeOpenIdProvider(app, time);
        provider.MapEndpoints();
        await app.StartAsync();
        return provider;
    }

    /// <summary>The RP's backchannel: requests go in memory to this provider, or fail like a refused connection when it is down.</summary>
    public HttpMessageHandler CreateBackchannelHandler() => new OutageHandler(this, Server.CreateHandler());

    public ValueTask DisposeAsync()
    {
        HoldTokenEndpoint?.TrySetResult();
        SigningKey.Dispose();
        return _app.DisposeAsync();
    }

    private void MapEndpoints()
    {
        _app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref _discoveryRequests);
            var document = new Dictionary<string, object?>
            {
                ["issuer"] = Issuer,
                ["authorization_endpoint"] = Issuer + "/auth",
                ["token_endpoint"] = Issuer + "/token",
                ["userinfo_endpoint"] = Issuer + "/userinfo",
                ["jwks_uri"] = Issuer + "/certs",
                ["response_types_supported"] = new[] { "code" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
            };
            if (PublishEndSession)
            {
                document["end_session_endpoint"] = Issuer + "/logout";
            }

            return Results.Json(document);
        });

        _app.MapGet("/certs", () =>
        {
            Interlocked.Increment(ref _jwksRequests);
            return Results.Json(new { keys = JwksKeys.Select(ToJwk).ToList() });
        });

        _app.MapGet("/auth", (Delegate)Authorize);
        _app.MapPost("/token", (Delegate)TokenAsync);
        _app.MapGet("/userinfo", (Delegate)UserInfo);
        _app.MapGet("/logout", (HttpContext context) =>
        {
            LastEndSessionRequest = Flatten(context.Request.Query);
            var target = context.Request.Query["post_logout_redirect_uri"].ToString();
            return Results.Redirect(QueryHelpers.AddQueryString(target, "state", context.Request.Query["state"].ToString()));
        });
    }

    private IResult Authorize(HttpContext context)
    {
        var query = Flatten(context.Request.Query);
        LastAuthorizeRequest = query;
        if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("redirect_uri") != RedirectUri)
        {
            return Results.BadRequest("unknown client or redirect_uri");
        }

        var state = query.GetValueOrDefault("state") ?? string.Empty;
        if (AuthorizeError is not null)
        {
            return Results.Redirect(QueryHelpers.AddQueryString(RedirectUri, new Dictionary<string, string?>
            {
                ["error"] = AuthorizeError,
                ["error_description"] = "The user declined the sign-in request.",
                ["state"] = state,
            }));
        }

        if (query.GetValueOrDefault("response_type") != "code" || query.GetValueOrDefault("code_challenge_method") != "S256")
        {
            return Results.BadRequest("code flow with S256 only");
        }

        var code = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new IssuedCode(query.GetValueOrDefault("code_challenge") ?? string.Empty, query.GetValueOrDefault("nonce"), query.GetValueOrDefault("scope") ?? string.Empty);

        var parameters = new Dictionary<string, string?>();
        if (CodeDelivery is CodeDelivery.Both or CodeDelivery.CodeOnly)
        {
            parameters["code"] = code;
        }

        if (CodeDelivery is CodeDelivery.Both or CodeDelivery.AuthorizationCodeOnly)
        {
            parameters["authorization_code"] = code;
        }

        parameters["state"] = state;
        if (query.TryGetValue("nonce", out var nonce))
        {
            parameters["nonce"] = nonce;
        }

        return Results.Redirect(QueryHelpers.AddQueryString(RedirectUri, parameters));
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        TokenRequestArrived.TrySetResult();
        if (HoldTokenEndpoint is { } hold)
        {
            await hold.Task.WaitAsync(context.RequestAborted);
        }

        if (TokenError is { } error)
        {
            return Results.Text(error.Body, "application/json", statusCode: error.Status);
        }

        var form = await context.Request.ReadFormAsync();
        if (!ClientAuthenticated(context.Request, form))
        {
            return OAuthError(401, "invalid_client");
        }

        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                if (!_codes.TryRemove(form["code"].ToString(), out var issued) || form["redirect_uri"] != RedirectUri)
                {
                    return OAuthError(400, "invalid_grant");
                }

                var verifier = form["code_verifier"].ToString();
                var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
                if (verifier.Length < 43 || challenge != issued.CodeChallenge)
                {
                    return OAuthError(400, "invalid_grant", "PKCE verification failed");
                }

                return Results.Json(IssueTokens(issued.Nonce, issued.Scope));

            case "refresh_token" when IssueRefreshTokens && form["refresh_token"] == "rt-1":
                return Results.Json(IssueTokens(nonce: null, "openid"));

            default:
                return OAuthError(400, "invalid_grant");
        }
    }

    private Dictionary<string, object?> IssueTokens(string? nonce, string scope)
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["aud"] = ClientId,
            ["sub"] = Subject,
            ["email"] = $"{ClientId}+{Subject}@xumm.me",
            ["app_name"] = "Test app",
            ["network_type"] = "MAINNET",
            ["scope"] = scope,
            ["iat"] = now,
            ["exp"] = now + 7200,
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        EditClaims?.Invoke(claims);
        var idToken = WriteIdToken?.Invoke(claims) ?? TestJwt.Rs256(SigningKey, SigningKid, claims);
        LastAccessToken = idToken;

        var response = new Dictionary<string, object?>
        {
            ["access_token"] = idToken,
            ["token_type"] = "bearer",
            ["expires_in"] = 7200,
            ["id_token"] = idToken,
            ["refresh_token"] = IssueRefreshTokens ? "rt-1" : string.Empty,
            ["scope"] = scope,
        };
        EditTokenResponse?.Invoke(response);
        return response;
    }

    private IResult UserInfo(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (LastAccessToken is null || authorization != "Bearer " + LastAccessToken)
        {
            return Results.Unauthorized();
        }

        return Results.Json(new Dictionary<string, object?>
        {
            ["sub"] = UserInfoSubject ?? Subject,
            ["name"] = "Pepper",
            ["picture"] = "https://xumm.app/avatar/pepper.png",
            ["email"] = $"{ClientId}+{Subject}@xumm.me",
            ["blocked"] = false,
        });
    }

    private bool ClientAuthenticated(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var separator = decoded.IndexOf(':', StringComparison.Ordinal);
            return Uri.UnescapeDataString(decoded[..separator]) == ClientId
                   && Uri.UnescapeDataString(decoded[(separator + 1)..]) == ClientSecret
                   && !form.ContainsKey("client_secret");
        }

        if (PublicClient)
        {
            return form["client_id"] == ClientId && !form.ContainsKey("client_secret");
        }

        return !RequireBasicAuthentication && form["client_id"] == ClientId && form["client_secret"] == ClientSecret;
    }

    private static IResult OAuthError(int status, string error, string? description = null) =>
        Results.Json(new { error, error_description = description ?? error }, statusCode: status);

    private static Dictionary<string, object?> ToJwk(PublishedKey key)
    {
        var parameters = key.Key.ExportParameters(includePrivateParameters: false);
        var jwk = new Dictionary<string, object?>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["n"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = System.Buffers.Text.Base64Url.EncodeToString(parameters.Exponent),
        };
        if (key.Kid is not null)
        {
            jwk["kid"] = key.Kid;
        }

        return jwk;
    }

    private static Dictionary<string, string> Flatten(IQueryCollection query) =>
        query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString(), StringComparer.Ordinal);

    private sealed record IssuedCode(string CodeChallenge, string? Nonce, string Scope);

    private sealed class OutageHandler(FakeOpenIdProvider provider, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (provider.MetadataDown && (path.StartsWith("/.well-known/", StringComparison.Ordinal) || path == "/certs"))
            {
                throw new HttpRequestException("Connection refused (simulated).");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A key published in the JWKS, with or without a kid.</summary>
internal sealed record PublishedKey(RSA Key, string? Kid);
