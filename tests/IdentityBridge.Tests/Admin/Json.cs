using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace IdentityBridge.Tests.Admin;

internal static class Json
{
    public static HttpContent Body(object value) => JsonContent.Create(value);

    public static HttpContent Raw(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The problem's <c>errors</c> member, asserting it is an RFC 9457 problem with this status.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await ReadAsync(response);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        return body;
    }
}
