using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IdentityBridge.RelyingParty;

/// <summary>Registration of the OpenID Connect client.</summary>
public static class OidcClientExtensions
{
    /// <summary>
    /// Adds an OpenID Connect client scheme. Its options are validated when the host starts; the
    /// <see cref="OidcTokenClient"/> is registered for refreshing tokens against the same provider.
    /// </summary>
    public static AuthenticationBuilder AddOidcClient(this AuthenticationBuilder builder, string authenticationScheme, Action<OidcClientOptions> configureOptions) =>
        builder.AddOidcClient(authenticationScheme, displayName: null, configureOptions);

    /// <summary>Adds an OpenID Connect client scheme with a display name.</summary>
    public static AuthenticationBuilder AddOidcClient(
        this AuthenticationBuilder builder,
        string authenticationScheme,
        string? displayName,
        Action<OidcClientOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configureOptions);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddOAuth<OidcClientOptions, OidcClientHandler>(authenticationScheme, displayName!, configureOptions);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OidcClientOptions>, OidcClientPostConfigureOptions>());
        builder.Services.AddOptions<OidcClientOptions>(authenticationScheme).ValidateOnStart();
        builder.Services.TryAddSingleton<OidcTokenClient>();
        return builder;
    }
}
