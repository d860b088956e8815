using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using XummSimulator.Internal;

namespace XummSimulator.Platform;

/// <summary>The platform's error shape: <c>{ "error": { "reference", "code", "message" } }</c>.</summary>
internal static class PlatformError
{
    /// <summary>The platform's code for a wrong API key or secret.</summary>
    public const int InvalidCredentials = 813;

    public static IResult Result(int status, int code, string message) =>
        Results.Json(
            new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["reference"] = RandomIds.NewUuidV4(),
                    ["code"] = code,
                    ["message"] = message,
                },
            },
            statusCode: status);

    public static IResult BadRequest(string message) => Result(StatusCodes.Status400BadRequest, 400, message);

    public static IResult NotFound(string message) => Result(StatusCodes.Status404NotFound, 404, message);
}
