using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using IdentityBridge.Xumm;
using static IdentityBridge.Tests.Xumm.XummSamples;

namespace IdentityBridge.Tests.Xumm;

public sealed class XummPlatformClientResilienceTests
{
    // A broken rule must fail the test, not leave it waiting on a clock nobody advances.
    private const int TestTimeout = 60_000;

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new();
    private readonly FakeHttpHandler _handler = new();
    private readonly CapturingLogger<XummPlatformClient> _logger = new();
    private readonly XummRateLimitState _rateLimit = new();

    [Fact(Timeout = TestTimeout)]
    public async Task Get_is_retried_after_a_backoff_on_503_then_succeeds()
    {
        _handler.Respond(HttpStatusCode.ServiceUnavailable, ServerError).Respond(HttpStatusCode.OK, PayloadDetails);

        var pending = Client().GetPayloadAsync(PayloadUuid);
        await _time.WaitForTimerAsync(IsFirstBackoff);
        Assert.Single(_handler.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await pending;

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Get_gives_up_after_two_retries_with_growing_backoff()
    {
        _handler.Respond(HttpStatusCode.ServiceUnavailable, ServerError)
            .Respond(HttpStatusCode.InternalServerError, ServerError)
            .Respond(HttpStatusCode.ServiceUnavailable, ServerError);

        var pending = Client().GetPayloadAsync(PayloadUuid);
        await _time.WaitForTimerAsync(IsFirstBackoff);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await _time.WaitForTimerAsync(IsSecondBackoff);
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var result = await pending;

        Assert.Equal(3, _handler.Requests.Count);
        Assert.Equal(XummErrorKind.Upstream, result.Error!.Kind);
        Assert.Equal(503, result.Error.StatusCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Delete_is_retried_on_a_transport_error()
    {
        _handler.Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"))
            .Respond(HttpStatusCode.OK, PayloadCancelled);

        var pending = Client().CancelPayloadAsync(PayloadUuid);
        await _time.WaitForTimerAsync(IsFirstBackoff);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var result = await pending;

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Post_payload_is_never_retried_on_503()
    {
        _handler.Respond(HttpStatusCode.ServiceUnavailable, ServerError);

        var result = await Client().CreatePayloadAsync(XummPayloadRequest.SignIn());

        Assert.Equal(503, result.Error!.StatusCode);
        Assert.Single(_handler.Requests);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Post_payload_is_never_retried_on_a_transport_error()
    {
        _handler.Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection reset"));

        var result = await Client().CreatePayloadAsync(XummPayloadRequest.SignIn());

        Assert.Equal(XummErrorKind.Network, result.Error!.Kind);
        Assert.Single(_handler.Requests);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Client_errors_are_not_retried()
    {
        _handler.Respond(HttpStatusCode.BadRequest, """{ "error": { "reference": "r", "code": 602 } }""");

        var result = await Client().GetPayloadAsync(PayloadUuid);

        Assert.Equal("602", result.Error!.UpstreamCode);
        Assert.Single(_handler.Requests);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Post_without_an_answer_in_time_is_a_timeout()
    {
        _handler.Hang();

        var pending = Client().CreatePayloadAsync(XummPayloadRequest.SignIn());
        await _handler.WaitForRequestAsync(1);
        _time.Advance(AttemptTimeout - TimeSpan.FromSeconds(1));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await pending;

        Assert.Equal(XummErrorKind.Timeout, result.Error!.Kind);
        Assert.Single(_handler.Requests);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Get_timeouts_are_retried_then_reported()
    {
        _handler.Hang().Hang().Hang();

        var pending = Client().GetPayloadAsync(PayloadUuid);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await _handler.WaitForRequestAsync(attempt);
            _time.Advance(AttemptTimeout);
            if (attempt < 3)
            {
                await _time.WaitForTimerAsync(d => d < AttemptTimeout);
                _time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var result = await pending;

        Assert.Equal(XummErrorKind.Timeout, result.Error!.Kind);
        Assert.Equal(3, _handler.Requests.Count);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Rate_limit_figures_are_read_from_every_answer()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadDetails, r => RateHeaders(r, limit: 60, remaining: 42));

        await Client().GetPayloadAsync(PayloadUuid);

        var figures = _rateLimit.Current;
        Assert.Equal(60, figures.Limit);
        Assert.Equal(42, figures.Remaining);
        Assert.Null(figures.BlockedUntil);
        Assert.Equal(_time.GetUtcNow(), figures.ObservedAt);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Short_retry_after_on_429_makes_the_next_call_wait_then_go()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, null, r =>
            {
                RateHeaders(r, limit: 60, remaining: 0);
                r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(2));
            })
            .Respond(HttpStatusCode.OK, PayloadDetails, r => RateHeaders(r, limit: 60, remaining: 59));
        var client = Client();

        var refused = await client.GetPayloadAsync(PayloadUuid);
        Assert.Equal(XummErrorKind.RateLimited, refused.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Error.RetryAfter);
        Assert.Single(_handler.Requests);

        var pending = client.GetPayloadAsync(PayloadUuid);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(2));
        Assert.Single(_handler.Requests);
        _time.Advance(TimeSpan.FromSeconds(2));
        var result = await pending;

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal(59, client.RateLimit.Remaining);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Long_retry_after_on_429_makes_further_calls_fail_fast_until_it_passes()
    {
        var retryAt = _time.GetUtcNow().AddSeconds(120);
        _handler.Respond(HttpStatusCode.TooManyRequests, null, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(retryAt))
            .Respond(HttpStatusCode.OK, PayloadCreated);
        var client = Client();
        await client.GetPayloadAsync(PayloadUuid);

        var refused = await client.CreatePayloadAsync(XummPayloadRequest.SignIn());

        Assert.Equal(XummErrorKind.RateLimited, refused.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(120), refused.Error.RetryAfter);
        Assert.Single(_handler.Requests);
        Assert.Equal(retryAt, client.RateLimit.BlockedUntil);

        _time.Advance(TimeSpan.FromSeconds(120));
        Assert.True((await client.CreatePayloadAsync(XummPayloadRequest.SignIn())).IsSuccess);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Exhausted_quota_holds_calls_for_the_cooldown()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadDetails, r => RateHeaders(r, limit: 60, remaining: 0))
            .Respond(HttpStatusCode.OK, PayloadDetails);
        var client = Client();

        Assert.True((await client.GetPayloadAsync(PayloadUuid)).IsSuccess);
        var refused = await client.GetPayloadAsync(PayloadUuid);

        Assert.Equal(XummErrorKind.RateLimited, refused.Error!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.Error.RetryAfter);
        Assert.Single(_handler.Requests);
        Assert.Equal(0, client.RateLimit.Remaining);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.True((await client.GetPayloadAsync(PayloadUuid)).IsSuccess);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Exhausted_quota_with_a_reset_header_holds_only_until_the_reset()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadDetails, r =>
            {
                RateHeaders(r, limit: 60, remaining: 0);
                r.Headers.Add("X-RateLimit-Reset", "3");
            })
            .Respond(HttpStatusCode.OK, PayloadDetails);
        var client = Client();
        await client.GetPayloadAsync(PayloadUuid);

        var pending = client.GetPayloadAsync(PayloadUuid);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.True((await pending).IsSuccess);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Clients_sharing_the_rate_limit_state_hold_back_together()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, null, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromMinutes(1)));
        await Client().GetPayloadAsync(PayloadUuid);

        var refused = await Client().GetPayloadAsync(PayloadUuid);

        Assert.Equal(XummErrorKind.RateLimited, refused.Error!.Kind);
        Assert.Single(_handler.Requests);
    }

    private static bool IsFirstBackoff(TimeSpan due) => due >= TimeSpan.FromMilliseconds(250) && due < TimeSpan.FromMilliseconds(500);

    private static bool IsSecondBackoff(TimeSpan due) => due >= TimeSpan.FromMilliseconds(500) && due < TimeSpan.FromMilliseconds(1000);

    private static void RateHeaders(HttpResponseMessage response, int limit, int remaining)
    {
        response.Headers.Add("X-RateLimit-Limit", limit.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("X-RateLimit-Remaining", remaining.ToString(CultureInfo.InvariantCulture));
    }

    private XummPlatformClient Client() => new(
        new HttpClient(_handler),
        new XummPlatformOptions { ApiKey = ApiKey, ApiSecret = ApiSecret, ApiBaseUrl = BaseUrl },
        _time,
        _logger,
        _rateLimit);
}
