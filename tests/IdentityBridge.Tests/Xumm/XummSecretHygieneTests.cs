using System.Net;
using IdentityBridge.Xumm;
using static IdentityBridge.Tests.Xumm.XummSamples;

namespace IdentityBridge.Tests.Xumm;

public sealed class XummSecretHygieneTests
{
    private static readonly string[] SecretForms =
    [
        ApiSecret,
        XummWebhookSignature.DocumentedKey(ApiSecret),
        XummWebhookSignature.AllHyphensRemovedKey(ApiSecret),
    ];

    private readonly ManualTimeProvider _time = new();
    private readonly FakeHttpHandler _handler = new();
    private readonly CapturingLogger<XummPlatformClient> _logger = new();

    [Fact]
    public async Task Failures_never_carry_the_api_secret_into_errors_or_logs()
    {
        _handler.Throw(new HttpRequestException($"Proxy rejected header x-api-secret: {ApiSecret}"))
            .Respond(HttpStatusCode.InternalServerError, $$"""{ "error": { "reference": "r", "code": 500, "message": "bad secret {{ApiSecret}}" } }""")
            .Respond(HttpStatusCode.Unauthorized, $$"""{ "error": "invalid_client", "error_description": "{{SecretForms[2]}} is not valid" }""")
            .Respond(HttpStatusCode.OK, $$"""{ "error": true, "message": "echo {{SecretForms[1]}}", "code": "{{ApiSecret}}" }""")
            .Respond(HttpStatusCode.TooManyRequests, ApiSecret);
        var client = new XummPlatformClient(
            new HttpClient(_handler),
            new XummPlatformOptions { ApiKey = ApiKey, ApiSecret = ApiSecret, ApiBaseUrl = BaseUrl, MaxRetries = 0 },
            _time,
            _logger);

        var results = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var result = await client.CreatePayloadAsync(XummPayloadRequest.SignIn());
            Assert.False(result.IsSuccess);
            results.Add(result.ToString());
            results.Add(result.Error.Description);
        }

        Assert.All(_handler.Requests, r => Assert.Equal(ApiSecret, r.Headers["x-api-secret"]));
        Assert.NotEmpty(_logger.Entries);
        var everything = string.Join("\n", results) + "\n" + _logger.AllText;
        foreach (var form in SecretForms)
        {
            Assert.DoesNotContain(form, everything, StringComparison.Ordinal);
        }

        Assert.Contains("[redacted]", everything, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_never_print_the_secret()
    {
        var options = new XummPlatformOptions { ApiKey = ApiKey, ApiSecret = ApiSecret };

        Assert.DoesNotContain(ApiSecret, options.ToString(), StringComparison.Ordinal);
        Assert.Contains(ApiKey, options.ToString(), StringComparison.Ordinal);
    }
}
