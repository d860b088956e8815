using Microsoft.Extensions.Logging;

namespace IdentityBridge.RelyingParty.Protocol;

/// <summary>
/// Sends one backchannel request under a timeout measured by the <see cref="TimeProvider"/>. Network
/// failures and timeouts become <c>temporarily_unavailable</c> failures, never exceptions.
/// </summary>
internal static class Backchannel
{
    public static async Task<BackchannelResponse> SendAsync(
        HttpClient client,
        HttpRequestMessage request,
        TimeSpan timeout,
        TimeProvider timeProvider,
        string endpointName,
        ILogger logger,
        CancellationToken requestAborted)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, requestAborted);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            return new BackchannelResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, null);
        }
        catch (OperationCanceledException ex) when (!requestAborted.IsCancellationRequested)
        {
            logger.LogWarning("The {Endpoint} endpoint did not answer within {Timeout}.", endpointName, timeout);
            return Unavailable($"The {endpointName} endpoint did not answer within {timeout.TotalSeconds:0.###} s.", ex);
        }
        catch (OperationCanceledException ex)
        {
            return Unavailable("The request was aborted.", ex);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "The {Endpoint} endpoint could not be reached.", endpointName);
            return Unavailable($"The {endpointName} endpoint could not be reached.", ex);
        }
    }

    private static BackchannelResponse Unavailable(string description, Exception inner) =>
        new(0, null, string.Empty, new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, description, innerException: inner));
}
