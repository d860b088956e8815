using System.Net;
using IdentityBridge.Xumm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static IdentityBridge.Tests.Xumm.XummSamples;

namespace IdentityBridge.Tests.Xumm;

public sealed class XummServiceRegistrationTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeHttpHandler _handler = new();

    [Fact]
    public async Task Registered_client_uses_the_options_and_a_replaceable_primary_handler()
    {
        _handler.Respond(HttpStatusCode.OK, PayloadDetails);
        using var provider = Services(o =>
        {
            o.ApiKey = ApiKey;
            o.ApiSecret = ApiSecret;
            o.ApiBaseUrl = BaseUrl;
        });

        var result = await provider.GetRequiredService<XummPlatformClient>().GetPayloadAsync(PayloadUuid);

        Assert.True(result.IsSuccess, result.Error?.ToString());
        var request = _handler.Requests.Single();
        Assert.Equal($"{BaseUrl}/payload/{PayloadUuid}", request.Uri.AbsoluteUri);
        Assert.Equal(ApiKey, request.Headers["x-api-key"]);
    }

    [Fact]
    public async Task Registered_clients_share_one_rate_limit_state_and_the_registered_clock()
    {
        _handler.Respond(HttpStatusCode.TooManyRequests, null, r => r.Headers.RetryAfter = new(TimeSpan.FromMinutes(1)));
        using var provider = Services(o =>
        {
            o.ApiKey = ApiKey;
            o.ApiSecret = ApiSecret;
            o.ApiBaseUrl = BaseUrl;
        });

        await provider.GetRequiredService<XummPlatformClient>().GetPayloadAsync(PayloadUuid);
        var second = provider.GetRequiredService<XummPlatformClient>();

        Assert.Equal(_time.GetUtcNow().AddMinutes(1), second.RateLimit.BlockedUntil);
        Assert.Equal(XummErrorKind.RateLimited, (await second.GetPayloadAsync(PayloadUuid)).Error!.Kind);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Registered_xapp_validator_uses_the_same_credentials()
    {
        using var provider = Services(o =>
        {
            o.ApiKey = ApiKey;
            o.ApiSecret = ApiSecret;
        });
        var token = XAppJwt.Create(new XAppJwtDescriptor { ApiKey = ApiKey, Account = Account, IssuedAt = _time.GetUtcNow() }, ApiSecret);

        var result = await provider.GetRequiredService<XAppJwtValidator>().ValidateAsync(token);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Missing_credentials_fail_validation_naming_the_keys()
    {
        using var provider = Services(_ => { });

        var error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<XummPlatformOptions>>().Value);

        Assert.Contains("Xumm:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("Xumm:ApiSecret", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Services(Action<XummPlatformOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddXummPlatformClient(configure).ConfigurePrimaryHttpMessageHandler(() => _handler);
        return services.BuildServiceProvider();
    }
}
