using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Grants;

/// <summary>The grant types registered with <see cref="GrantHandlerRegistration.AddGrantHandler{THandler}"/>.</summary>
public sealed class GrantHandlerOptions
{
    public HashSet<string> KeyedGrantTypes { get; } = new(StringComparer.Ordinal);
}

public static class GrantHandlerRegistration
{
    /// <summary>
    /// Registers a token endpoint grant under its <c>grant_type</c>. The endpoint then builds only this
    /// handler (and what it depends on) for a request of that grant type, instead of every registered
    /// handler; it is still listed by <c>GetServices&lt;IGrantHandler&gt;()</c> (discovery). A handler
    /// registered as a plain <see cref="IGrantHandler"/> keeps working, found by enumeration.
    /// </summary>
    public static IServiceCollection AddGrantHandler<THandler>(this IServiceCollection services, string grantType)
        where THandler : class, IGrantHandler
    {
        services.AddKeyedScoped<IGrantHandler, THandler>(grantType);
        services.AddScoped<IGrantHandler>(sp => sp.GetRequiredKeyedService<IGrantHandler>(grantType));
        services.Configure<GrantHandlerOptions>(o => o.KeyedGrantTypes.Add(grantType));
        return services;
    }

    /// <summary>
    /// The handler of <paramref name="grantType"/> in the request's scope, or null. Only grant types that
    /// were registered are looked up by key: the value comes from the request, and the container
    /// remembers every key it was asked for.
    /// </summary>
    internal static IGrantHandler? Resolve(IServiceProvider services, IOptions<GrantHandlerOptions> options, string grantType)
    {
        if (options.Value.KeyedGrantTypes.Contains(grantType))
            return services.GetRequiredKeyedService<IGrantHandler>(grantType);
        return services.GetServices<IGrantHandler>().FirstOrDefault(h => h.GrantType == grantType);
    }
}
