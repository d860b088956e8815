using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using XummSimulator.Control;
using XummSimulator.Internal;
using XummSimulator.Oidc;
using XummSimulator.Pages;
using XummSimulator.Platform;
using XummSimulator.Sign;

namespace XummSimulator;

public static class XummSimulatorEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the whole simulator under <paramref name="prefix"/> ("" for the root): the OAuth2 endpoints,
    /// the platform API, the sign pages and payload websockets, a page at the prefix itself that says what
    /// the simulator is, and (unless switched off) the
    /// <c>/_sim</c> control endpoints. When <paramref name="endpoints"/> is also the application builder
    /// (a <c>WebApplication</c>), websocket support is switched on for the prefix; otherwise the host must
    /// call <c>UseWebSockets()</c> itself.
    /// </summary>
    public static RouteGroupBuilder MapXummSimulator(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        var normalized = "/" + prefix.Trim().Trim('/');
        normalized = normalized == "/" ? "" : normalized;

        if (endpoints is IApplicationBuilder app)
        {
            app.UseWhen(
                context => normalized.Length == 0 || context.Request.Path.StartsWithSegments(normalized, StringComparison.OrdinalIgnoreCase),
                branch => branch.UseWebSockets());
        }

        var root = endpoints.MapGroup(normalized);
        root.WithMetadata(new SimulatorPrefix(normalized));
        root.ExcludeFromDescription();

        // The simulator does its own client checks; a host's fallback authorization policy must not apply.
        root.AllowAnonymous();

        var served = root.MapGroup("");
        served.AddEndpointFilter(FaultFilter.InvokeAsync);
        OidcEndpoints.Map(served);
        PlatformEndpoints.Map(served.MapGroup("/api/v1/platform"));
        SignEndpoints.Map(served);
        Assets.Map(root);
        HomePage.Map(root);

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<XummSimulatorOptions>>().Value;
        if (options.EnableControlEndpoints)
        {
            ControlEndpoints.Map(root.MapGroup("/_sim"));
        }

        return root;
    }
}
