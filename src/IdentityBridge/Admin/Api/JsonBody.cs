using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdentityBridge.Admin.Api;

/// <summary>
/// Declares an endpoint's JSON request body for the OpenAPI document only. (<c>Accepts</c> would also
/// make routing refuse other content types before the endpoint runs, with a body that is not a problem.)
/// </summary>
internal sealed record JsonBodyMetadata(Type Type, bool Required);

internal static class JsonBody
{
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder, bool required = true) =>
        builder.WithMetadata(new JsonBodyMetadata(typeof(T), required));

    /// <summary>Adds the declared request bodies to the OpenAPI operations.</summary>
    public static async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var body = context.Description.ActionDescriptor.EndpointMetadata.OfType<JsonBodyMetadata>().LastOrDefault();
        if (body is null) return;
        var schema = await context.GetOrCreateSchemaAsync(body.Type, null, ct);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = body.Required,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }
}
