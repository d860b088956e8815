using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace XummSimulator.Internal;

/// <summary>Applies the <c>delayMs</c> and <c>status500</c> faults in front of every served endpoint.</summary>
internal static class FaultFilter
{
    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var state = context.HttpContext.RequestServices.GetRequiredService<XummSimulatorState>();
        var faults = state.Faults;
        if (faults.DelayMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.DelayMs), state.Time, context.HttpContext.RequestAborted);
        }

        if (faults.Status500)
        {
            return Results.Json(
                new JsonObject { ["error"] = "server_error", ["error_description"] = "Simulated server failure." },
                statusCode: StatusCodes.Status500InternalServerError);
        }

        return await next(context);
    }
}
