using IdentityBridge.Configuration;
using IdentityBridge.Operations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Discovery;
using IdentityBridge.Provider.Endpoints;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Provider.Maintenance;
using IdentityBridge.Provider.Notifications;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider;

/// <summary>The OpenID Provider: discovery, JWKS, authorize, token, userinfo, introspection, revocation, end-session.</summary>
public static class ProviderModule
{
    public static IServiceCollection AddBridgeProvider(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddAuthentication(BridgeSession.Scheme)
            .AddCookie(BridgeSession.Scheme, o =>
            {
                o.Cookie.Name = BridgeSession.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.LoginPath = LoginInteraction.LoginPath;
                o.ReturnUrlParameter = LoginInteraction.ReturnUrlParameter;
                o.SlidingExpiration = false;
                o.Events.OnRedirectToLogin = OnThisHost(o.Events.OnRedirectToLogin);
                o.Events.OnRedirectToAccessDenied = OnThisHost(o.Events.OnRedirectToAccessDenied);
            });
        services.AddAuthorization();
        services.AddMemoryCache();
        SettingChoices.ThrowIfRefused(configuration.GetSection(ResourceOptions.Section), typeof(List<ResourceDefinition>));
        services.AddOptions<ResourceOptions>().Configure(o => configuration.GetSection(ResourceOptions.Section).Bind(o.Resources)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ResourceOptions>>(new ResourceOptionsValidator(configuration));

        services.AddSingleton<ProviderUrls>();
        services.AddSingleton<ClientStore>();
        services.AddSingleton<ClientAssertionValidator>();
        services.AddSingleton<ClientAuthenticator>();
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<IBridgeInitializer, SigningKeyInitializer>();
        services.AddHostedService<KeyMaintenanceService>();
        services.AddSingleton<DatabaseRetention>();
        services.AddHostedService<DatabaseRetentionService>();
        services.AddSingleton<JwtSigner>();
        services.AddSingleton<OwnTokenReader>();
        services.AddSingleton<RotationBatcher>();
        services.AddSingleton<GrantStore>();
        services.AddSingleton<SubjectResolver>();
        services.AddSingleton<AccessTokenValidator>();
        services.AddSingleton<DPoPNonces>();
        services.AddSingleton<DPoPProofValidator>();
        services.AddSingleton<DiscoveryDocument>();
        services.AddSingleton<InteractionTickets>();
        services.AddSingleton<ConsentStore>();
        services.AddSingleton<RequestObjectReader>();
        services.AddSingleton<AuthorizeRequestValidator>();
        services.AddSingleton<AuthorizeInteraction>();
        services.AddSingleton<AuthorizeResponder>();
        services.AddSingleton<ClientNotificationSender>();
        services.AddSingleton<ClientNotificationOutbox>();
        services.AddSingleton<ClientNotificationRetries>();
        services.AddHostedService<ClientNotificationRetryService>();
        services.AddSingleton<BackChannelLogoutNotifier>();
        services.AddSingleton<IPendingNotificationKind>(sp => sp.GetRequiredService<BackChannelLogoutNotifier>());
        services.AddSingleton<FrontChannelLogout>();
        services.AddSingleton<RecordedSessionClients>();
        services.AddSingleton<SessionExpiry>();
        services.AddHostedService<SessionExpiryService>();
        services.AddHttpClient(BackChannelLogoutNotifier.HttpClientName, c => c.Timeout = BackChannelLogoutNotifier.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });

        services.AddScoped<SessionService>();
        services.AddScoped<AuthorizeErrorResponder>();
        services.AddScoped<TokenIssuer>();
        services.AddGrantHandler<AuthorizationCodeGrant>(GrantTypeNames.AuthorizationCode);
        services.AddGrantHandler<RefreshTokenGrant>(GrantTypeNames.RefreshToken);
        services.AddGrantHandler<ClientCredentialsGrant>(GrantTypeNames.ClientCredentials);
        return services;
    }

    /// <summary>
    /// The cookie handler makes its redirects absolute with the request's Host, which the client chooses (a request
    /// naming Host: evil.example was sent to http://evil.example/login): only the path and query are kept, so the
    /// browser stays on the host it is on, as the bridge's other redirects to the login do.
    /// </summary>
    private static Func<RedirectContext<CookieAuthenticationOptions>, Task> OnThisHost(Func<RedirectContext<CookieAuthenticationOptions>, Task> redirect) =>
        context =>
        {
            if (Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var uri)) context.RedirectUri = uri.PathAndQuery;
            return redirect(context);
        };

    public static IEndpointRouteBuilder MapBridgeProvider(this IEndpointRouteBuilder app)
    {
        DiscoveryEndpoint.Map(app);
        JwksEndpoint.Map(app);
        AuthorizeEndpoint.Map(app);
        TokenEndpoint.Map(app);
        PushedAuthorizationEndpoint.Map(app);
        UserInfoEndpoint.Map(app);
        IntrospectionEndpoint.Map(app);
        RevocationEndpoint.Map(app);
        EndSessionEndpoint.Map(app);
        return app;
    }
}
