using IdentityBridge.Configuration;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.RelyingParty;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Federation;

/// <summary>
/// Upstream sign-in with Xumm: the "xumm" OpenID Connect client scheme (callback <c>/signin-xumm</c>), the
/// checks and completion of each sign-in, the login and account pages' services, and in development the
/// in-process Xumm simulator under <c>/xumm-sim</c>.
/// </summary>
public static class FederationModule
{
    public static IServiceCollection AddBridgeFederation(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton<IPostConfigureOptions<XummOptions>, DevelopmentSimulator.Endpoints>();
        if (configuration.GetValue<bool>($"{XummOptions.Section}:Simulator:Enabled"))
            DevelopmentSimulator.Register(services);
        if (environment.IsDevelopment())
            services.AddHostedService<DevelopmentHint>();

        services.AddOptions<XummSignInOptions>().BindChecked(configuration.GetSection(XummSignInOptions.Section))
            .Validate(o => o.BackchannelTimeout >= TimeSpan.FromMilliseconds(100) && o.BackchannelTimeout <= TimeSpan.FromSeconds(60),
                "Xumm:SignIn:BackchannelTimeout must be between 00:00:00.1 and 00:01:00.")
            .ValidateOnStart();

        services.AddHttpClient(XummSignIn.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        services.AddAuthentication().AddOidcClient(XummSignIn.Scheme, "Xumm", _ => { });
        services.AddOptions<OidcClientOptions>(XummSignIn.Scheme)
            .Configure<IOptions<BridgeOptions>, IOptions<XummOptions>, IOptions<XummSignInOptions>, IHttpMessageHandlerFactory, IHostEnvironment>(
                (o, bridge, xumm, signIn, handlers, env) => ConfigureClient(o, bridge.Value, xumm.Value, signIn.Value, handlers, env));

        services.AddScoped<XummSignInEvents>();
        services.AddScoped<SignInCompletion>();
        services.AddScoped<SignInFailureResponder>();
        services.AddScoped<SignInChallenges>();
        services.AddScoped<ClientSignInPolicies>();
        return services;
    }

    public static IEndpointRouteBuilder MapBridgeFederation(this IEndpointRouteBuilder app)
    {
        DevelopmentSimulator.Map(app);
        return app;
    }

    private static void ConfigureClient(OidcClientOptions o, BridgeOptions bridge, XummOptions xumm, XummSignInOptions signIn, IHttpMessageHandlerFactory handlers, IHostEnvironment environment)
    {
        o.Authority = xumm.Authority.TrimEnd('/');
        o.ClientId = xumm.ApiKey;
        o.ClientSecret = xumm.ApiSecret;
        o.TokenEndpointAuthMethod = OidcClientAuthenticationMethod.ClientSecretPost;
        o.CallbackPath = XummSignIn.CallbackPath;
        // The redirect_uri registered with Xumm is {Issuer}/signin-xumm: built from the configured public URL, not
        // from the request, so it stays right behind a reverse proxy or when the bridge is reached by another name.
        o.PublicBaseUrl = bridge.Issuer;
        o.Scope.Clear();
        o.Scope.Add("openid");
        o.UsePkce = true;
        o.AllowedSigningAlgorithms.Clear();
        o.AllowedSigningAlgorithms.Add("RS256");
        o.ClockSkew = TimeSpan.FromSeconds(60);
        o.BackchannelTimeout = signIn.BackchannelTimeout;
        o.MetadataRefreshMinInterval = TimeSpan.FromSeconds(30);
        o.GetClaimsFromUserInfoEndpoint = true;
        // Xumm's token is neither kept nor forwarded: the bridge issues its own.
        o.SaveTokens = false;
        // Only the bridge's own checked claims are carried (SignInClaims); in particular never the synthetic email.
        o.ClaimActions.Clear();

        // The handler builds its backchannel on this (timeout = BackchannelTimeout); calls go through the named
        // client's pipeline, which tests and deployments can configure.
        o.BackchannelHttpHandler = new NamedClientHandler(handlers, XummSignIn.HttpClientName);

        // The callback is a top-level GET navigation from Xumm, which Lax cookies survive.
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        o.CorrelationCookie.HttpOnly = true;
        o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(15);

        // Completion answers itself (SignInCompletion calls HandleResponse); the scheme is named only because the
        // handler requires one.
        o.SignInScheme = BridgeSession.Scheme;
        o.EventsType = typeof(XummSignInEvents);
    }
}
