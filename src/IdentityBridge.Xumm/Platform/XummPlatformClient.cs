using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace IdentityBridge.Xumm;

/// <summary>
/// Typed client of the Xumm platform REST API. Every failure the platform or the network can cause comes back
/// as an <see cref="XummError"/> value; only cancellation by the caller throws. Idempotent calls (GET, DELETE)
/// are retried with exponential backoff and jitter on 5xx, timeouts and transport errors; payload creation is
/// never retried. Rate-limit headers are honoured across all clients sharing one <see cref="XummRateLimitState"/>.
/// </summary>
public sealed class XummPlatformClient
{
    private const int MaxDescriptionLength = 300;
    private const string Redacted = "[redacted]";

    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    private readonly HttpClient _http;
    private readonly XummPlatformOptions _options;
    private readonly string _baseUrl;
    private readonly string[] _secretForms;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly XummRateLimitState _rateLimit;

    /// <summary>Creates a client; <paramref name="rateLimit"/> should be shared by all clients of one API key.</summary>
    public XummPlatformClient(
        HttpClient httpClient,
        XummPlatformOptions options,
        TimeProvider timeProvider,
        ILogger<XummPlatformClient> logger,
        XummRateLimitState? rateLimit = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid Xumm platform settings: " + string.Join(" ", problems), nameof(options));
        }

        _http = httpClient;
        _options = options;
        _baseUrl = options.ApiBaseUrl.TrimEnd('/') + "/";
        _secretForms = new[]
        {
            options.ApiSecret,
            XummWebhookSignature.DocumentedKey(options.ApiSecret),
            XummWebhookSignature.AllHyphensRemovedKey(options.ApiSecret),
        }.Distinct(StringComparer.Ordinal).ToArray();
        _time = timeProvider;
        _logger = logger;
        _rateLimit = rateLimit ?? new XummRateLimitState();
    }

    /// <summary>The rate-limit figures as last reported by the platform.</summary>
    public XummRateLimitSnapshot RateLimit => _rateLimit.Current;

    /// <summary><c>POST /payload</c>: creates a sign request. Never retried (it is not idempotent).</summary>
    public Task<XummResult<XummPayloadCreated>> CreatePayloadAsync(
        XummPayloadRequest request,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, XummJson.Options);
        return SendAsync(
            "CreatePayload",
            HttpMethod.Post,
            "payload",
            body,
            idempotent: false,
            root => Read<XummPayloadCreated>(root, created =>
                !string.IsNullOrEmpty(created.Uuid) && IsWebAddress(created.Next.Always)),
            cancellationToken);
    }

    /// <summary>
    /// The payload's deep link is shown to the user as a link and a QR code: only an absolute http(s) address
    /// is usable (Xumm answers <c>https://xumm.app/sign/{uuid}</c>), never a script or data URL.
    /// </summary>
    private static bool IsWebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary><c>GET /payload/{uuid}</c>: the payload's state and, once resolved, the user's answer.</summary>
    public Task<XummResult<XummPayloadDetails>> GetPayloadAsync(string uuid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uuid);
        return SendAsync(
            "GetPayload",
            HttpMethod.Get,
            "payload/" + Segment(uuid),
            body: null,
            idempotent: true,
            root => Read<XummPayloadDetails>(root, _ => true),
            cancellationToken);
    }

    /// <summary><c>DELETE /payload/{uuid}</c>: cancels a payload not yet opened or resolved.</summary>
    public Task<XummResult<XummPayloadCancellation>> CancelPayloadAsync(string uuid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uuid);
        return SendAsync(
            "CancelPayload",
            HttpMethod.Delete,
            "payload/" + Segment(uuid),
            body: null,
            idempotent: true,
            root => Read<XummPayloadCancellation>(root, _ => true),
            cancellationToken);
    }

    /// <summary><c>GET /xapp/ott/{token}</c>: resolves an xApp one-time token to user context and a JWT.</summary>
    public Task<XummResult<XummXAppContext>> ResolveXAppOttAsync(string oneTimeToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(oneTimeToken);
        return SendAsync(
            "ResolveXAppOtt",
            HttpMethod.Get,
            "xapp/ott/" + Segment(oneTimeToken),
            body: null,
            idempotent: true,
            XummXAppContext.FromJson,
            cancellationToken);
    }

    /// <summary><c>POST /user-tokens</c>: which of these user tokens can still be used for push delivery.</summary>
    public async Task<XummResult<IReadOnlyList<XummUserTokenStatus>>> VerifyUserTokensAsync(
        IEnumerable<string> userTokens,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userTokens);
        var tokens = userTokens.Where(token => !string.IsNullOrWhiteSpace(token)).Distinct(StringComparer.Ordinal).ToArray();
        if (tokens.Length == 0)
        {
            return XummResult<IReadOnlyList<XummUserTokenStatus>>.Ok(Array.Empty<XummUserTokenStatus>());
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new XummUserTokenQuery(tokens), XummJson.Options);
        return await SendAsync<IReadOnlyList<XummUserTokenStatus>>(
            "VerifyUserTokens",
            HttpMethod.Post,
            "user-tokens",
            body,
            idempotent: false,
            root => Read<XummUserTokenList>(root, list => list.Tokens is not null && list.Tokens.All(token => token is not null))?.Tokens,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A value as one path segment. "." and ".." survive escaping and are then removed by URI resolution as dot
    /// segments (RFC 3986 section 5.2.4), which would send the credentials to another resource: refused.
    /// </summary>
    private static string Segment(string value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null) =>
        value is "." or ".."
            ? throw new ArgumentException("A dot segment does not name a platform resource.", name)
            : Uri.EscapeDataString(value);

    private async Task<XummResult<T>> SendAsync<T>(
        string operation,
        HttpMethod method,
        string path,
        byte[]? body,
        bool idempotent,
        Func<JsonElement, T?> read,
        CancellationToken cancellationToken)
        where T : notnull
    {
        var attempts = idempotent ? 1 + _options.MaxRetries : 1;
        for (var attempt = 1; ; attempt++)
        {
            var hold = _rateLimit.HoldRemaining(_time.GetUtcNow());
            if (hold > TimeSpan.Zero)
            {
                if (hold > _options.MaxRateLimitWait)
                {
                    XummPlatformLog.RateLimitedFailFast(_logger, operation, hold);
                    return XummResult<T>.Fail(new XummError
                    {
                        Kind = XummErrorKind.RateLimited,
                        Description = "Calls to the platform are held back until its rate limit lifts.",
                        RetryAfter = hold,
                    });
                }

                XummPlatformLog.WaitingForRateLimit(_logger, operation, hold);
                await Task.Delay(hold, _time, cancellationToken).ConfigureAwait(false);
            }

            var (result, transient) = await AttemptAsync(method, path, body, read, cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                return result;
            }

            if (!transient || attempt >= attempts)
            {
                XummPlatformLog.Failed(
                    _logger, operation, result.Error.Kind, result.Error.StatusCode, result.Error.UpstreamCode, result.Error.Description);
                return result;
            }

            var delay = Backoff(attempt);
            XummPlatformLog.Retrying(_logger, operation, attempt, result.Error.Kind, result.Error.StatusCode, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(XummResult<T> Result, bool Transient)> AttemptAsync<T>(
        HttpMethod method,
        string path,
        byte[]? body,
        Func<JsonElement, T?> read,
        CancellationToken cancellationToken)
        where T : notnull
    {
        using var request = new HttpRequestMessage(method, _baseUrl + path);
        request.Headers.TryAddWithoutValidation("x-api-key", _options.ApiKey);
        request.Headers.TryAddWithoutValidation("x-api-secret", _options.ApiSecret);
        request.Headers.Accept.Add(AcceptJson);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            var content = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var hold = _rateLimit.Observe(response, _time.GetUtcNow(), _options.RateLimitCooldown);
            if (hold is { } wait)
            {
                XummPlatformLog.RateLimitReached(_logger, _rateLimit.Current.Limit, wait);
            }

            return Interpret(response.StatusCode, content, hold, read);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Failure<T>(XummErrorKind.Timeout, $"No answer within {_options.Timeout.TotalSeconds:0.#} s."), true);
        }
        catch (HttpRequestException e)
        {
            return (Failure<T>(XummErrorKind.Network, $"Transport error ({e.HttpRequestError}): {Clean(e.Message)}"), true);
        }
    }

    private (XummResult<T> Result, bool Transient) Interpret<T>(
        HttpStatusCode statusCode,
        byte[] content,
        TimeSpan? hold,
        Func<JsonElement, T?> read)
        where T : notnull
    {
        var status = (int)statusCode;
        if (statusCode == HttpStatusCode.TooManyRequests)
        {
            return (XummResult<T>.Fail(new XummError
            {
                Kind = XummErrorKind.RateLimited,
                StatusCode = status,
                Description = "The platform refused the call: too many requests.",
                RetryAfter = hold,
            }), false);
        }

        var parsed = TryParseJson(content, out var root);
        if (status is >= 200 and < 300)
        {
            if (!parsed)
            {
                return (Failure<T>(XummErrorKind.InvalidResponse, "The platform's answer is not JSON.", status), false);
            }

            if (UpstreamError(root, status) is { } reported)
            {
                return (XummResult<T>.Fail(reported), false);
            }

            T? value;
            try
            {
                value = read(root);
            }
            catch (JsonException)
            {
                value = default;
            }

            return value is null
                ? (Failure<T>(XummErrorKind.InvalidResponse, "The platform's answer lacks required fields.", status), false)
                : (XummResult<T>.Ok(value), false);
        }

        var error = (parsed ? UpstreamError(root, status) : null)
            ?? new XummError { Kind = XummErrorKind.Http, StatusCode = status, Description = $"The platform answered HTTP {status}." };
        return (XummResult<T>.Fail(error), status >= 500);
    }

    /// <summary>
    /// The platform reports errors as <c>{ "error": { "code", "reference", "message"? } }</c>, and in places as
    /// <c>{ "error": "code", "error_description": "..." }</c> or <c>{ "error": true, "message": "..." }</c>.
    /// </summary>
    private XummError? UpstreamError(JsonElement root, int status)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error))
        {
            return null;
        }

        string? code;
        string? reference = null;
        string? message;
        switch (error.ValueKind)
        {
            case JsonValueKind.Object:
                code = Scalar(error, "code");
                reference = Scalar(error, "reference");
                message = Scalar(error, "message") ?? Scalar(error, "description") ?? Scalar(root, "message");
                break;
            case JsonValueKind.String:
                code = error.GetString();
                message = Scalar(root, "error_description") ?? Scalar(root, "message");
                break;
            case JsonValueKind.True:
                code = Scalar(root, "code");
                message = Scalar(root, "message") ?? Scalar(root, "error_description");
                break;
            default:
                return null;
        }

        return new XummError
        {
            Kind = XummErrorKind.Upstream,
            StatusCode = status,
            UpstreamCode = code is null ? null : Clean(code),
            UpstreamReference = reference is null ? null : Clean(reference),
            Description = Clean(message ?? $"The platform reported error {code ?? "(no code)"}."),
        };
    }

    private static string? Scalar(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static T? Read<T>(JsonElement root, Func<T, bool> complete)
        where T : class
    {
        var value = root.ValueKind == JsonValueKind.Object ? root.Deserialize<T>(XummJson.Options) : null;
        return value is not null && complete(value) ? value : null;
    }

    private static bool TryParseJson(byte[] content, out JsonElement root)
    {
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(content, XummJson.Options);
            return true;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }

    private XummResult<T> Failure<T>(XummErrorKind kind, string description, int? status = null)
        where T : notnull =>
        XummResult<T>.Fail(new XummError { Kind = kind, StatusCode = status, Description = Clean(description) });

    /// <summary>Text from outside, made safe to keep: no credential in any form, bounded length.</summary>
    private string Clean(string text)
    {
        foreach (var secret in _secretForms)
        {
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        return text.Length <= MaxDescriptionLength ? text : text[..MaxDescriptionLength] + "...";
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseMilliseconds = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var ceiling = (int)Math.Clamp(baseMilliseconds, 0, int.MaxValue / 2);
        var jitter = ceiling > 0 ? RandomNumberGenerator.GetInt32(ceiling) : 0;
        return TimeSpan.FromMilliseconds(ceiling + jitter);
    }

    private sealed record XummUserTokenQuery(IReadOnlyList<string> Tokens);
}
