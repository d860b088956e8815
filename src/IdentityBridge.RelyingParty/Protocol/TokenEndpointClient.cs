using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Logging;

namespace IdentityBridge.RelyingParty.Protocol;

/// <summary>
/// Posts a grant to the token endpoint with the configured client authentication and turns the answer into
/// an <see cref="OAuthTokenResponse"/>: a JSON object on success, an <see cref="OidcClientFailureException"/>
/// carrying the provider's <c>error</c> otherwise.
/// </summary>
internal static class TokenEndpointClient
{
    public static async Task<OAuthTokenResponse> RequestAsync(
        OidcClientOptions options,
        string tokenEndpoint,
        IReadOnlyDictionary<string, string> grant,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken requestAborted)
    {
        var form = new Dictionary<string, string>(grant, StringComparer.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        if (string.IsNullOrEmpty(options.ClientSecret))
        {
            form["client_id"] = options.ClientId;
        }
        else if (options.TokenEndpointAuthMethod == OidcClientAuthenticationMethod.ClientSecretBasic)
        {
            var credentials = Uri.EscapeDataString(options.ClientId) + ":" + Uri.EscapeDataString(options.ClientSecret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            form["client_id"] = options.ClientId;
            form["client_secret"] = options.ClientSecret;
        }

        request.Content = new FormUrlEncodedContent(form);

        var response = await Backchannel.SendAsync(
            options.Backchannel, request, options.BackchannelTimeout, timeProvider, "token", logger, requestAborted).ConfigureAwait(false);
        if (response.Failure is not null)
        {
            return OAuthTokenResponse.Failed(response.Failure);
        }

        var document = TryParseObject(response.Body);
        if (!response.IsSuccessStatusCode)
        {
            using (document)
            {
                return OAuthTokenResponse.Failed(ErrorFrom(document, response));
            }
        }

        if (document is null)
        {
            return OAuthTokenResponse.Failed(new OidcClientFailureException(
                OidcClientErrors.InvalidTokenResponse, "The token endpoint did not return a JSON object."));
        }

        return OAuthTokenResponse.Success(document);
    }

    private static OidcClientFailureException ErrorFrom(JsonDocument? document, BackchannelResponse response)
    {
        if (document is not null
            && document.RootElement.TryGetProperty("error", out var error)
            && error.ValueKind == JsonValueKind.String
            && !string.IsNullOrEmpty(error.GetString()))
        {
            return new OidcClientFailureException(
                error.GetString()!,
                StringOrNull(document.RootElement, "error_description"),
                StringOrNull(document.RootElement, "error_uri"));
        }

        return response.IsServerError
            ? new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, $"The token endpoint answered HTTP {(int)response.StatusCode}.")
            : new OidcClientFailureException(OidcClientErrors.InvalidTokenResponse, $"The token endpoint answered HTTP {(int)response.StatusCode} without an error code.");
    }

    internal static JsonDocument? TryParseObject(string body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
