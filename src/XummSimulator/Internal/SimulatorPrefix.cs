using Microsoft.AspNetCore.Http;

namespace XummSimulator.Internal;

/// <summary>Endpoint metadata naming the path prefix the simulator is mapped at.</summary>
internal sealed record SimulatorPrefix(string Value)
{
    public static string Of(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<SimulatorPrefix>()?.Value ?? "";
}
