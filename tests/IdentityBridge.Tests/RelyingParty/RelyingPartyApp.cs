using System.Collections.Concurrent;
using IdentityBridge.RelyingParty;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityBridge.Tests.RelyingParty;

/// <summary>
/// A web app on a TestServer that signs users in with <see cref="OidcClientHandler"/> against the fake provider.
/// <c>/login</c> challenges (query parameters become authorization parameters), <c>/me</c> shows the cookie's
/// claims and tokens, <c>/logout</c> signs out locally and at the provider. Remote failures are recorded.
/// </summary>
internal sealed class RelyingPartyApp : IAsyncDisposable
{
    public const string BaseAddress = "https://rp.test";
    public const string Scheme = "oidc";

    private readonly WebApplication _app;

    private RelyingPartyApp(WebApplication app) => _app = app;

    public TestServer Server => _app.GetTestServer();

    public IServiceProvider Services => _app.Services;

    public ConcurrentQueue<Exception> Failures { get; } = new();

    public OidcClientFailureException LastFailure =>
        Assert.IsType<OidcClientFailureException>(Failures.LastOrDefault(), exactMatch: true);

    public static async Task<RelyingPartyApp> StartAsync(FakeOpenIdProvider provider, TimeProvider time, Action<OidcClientOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer(options => options.BaseAddress = new Uri(BaseAddress + "/"));
        builder.Services.AddSingleton(time);
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();

        RelyingPartyApp? self = null;
        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = "cookie";
                options.DefaultChallengeScheme = Scheme;
            })
            .AddCookie("cookie")
            .AddOidcClient(Scheme, options =>
            {
                options.Authority = FakeOpenIdProvider.Issuer;
                options.ClientId = FakeOpenIdProvider.ClientId;
                options.ClientSecret = FakeOpenIdProvider.ClientSecret;
                options.BackchannelHttpHandler = provider.CreateBackchannelHandler();
                options.SaveTokens = true;
                options.Events.OnRemoteFailure = async context =>
                {
                    self!.Failures.Enqueue(context.Failure!);
                    context.HandleResponse();
                    var error = (context.Failure as OidcClientFailureException)?.Error ?? "unexpected";
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.Response.WriteAsync("failure:" + error);
                };
                configure?.Invoke(options);
            });

        var app = builder.Build();
        self = new RelyingPartyApp(app);
        app.UseAuthentication();

        app.MapGet("/login", (HttpContext context) =>
        {
            var properties = new AuthenticationProperties { RedirectUri = "/me" };
            foreach (var (name, value) in context.Request.Query)
            {
                properties.SetAuthorizationParameter(name, value.ToString());
            }

            return Results.Challenge(properties, [Scheme]);
        });

        app.MapGet("/me", async (HttpContext context) =>
        {
            var result = await context.AuthenticateAsync("cookie");
            if (!result.Succeeded)
            {
                return Results.Unauthorized();
            }

            return Results.Json(new
            {
                claims = result.Principal.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Select(c => c.Value).ToArray()),
                tokens = result.Properties!.GetTokens().ToDictionary(t => t.Name, t => t.Value),
            });
        });

        app.MapGet("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync("cookie");
            await context.SignOutAsync(Scheme, new AuthenticationProperties { RedirectUri = "/bye" });
        });

        await app.StartAsync();
        return self;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
