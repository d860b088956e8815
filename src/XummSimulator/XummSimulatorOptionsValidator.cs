using Microsoft.Extensions.Options;
using XummSimulator.Internal;

namespace XummSimulator;

/// <summary>Checks the simulator configuration at start-up and names the offending key.</summary>
internal sealed class XummSimulatorOptionsValidator : IValidateOptions<XummSimulatorOptions>
{
    private const string Section = XummSimulatorDefaults.ConfigurationSection;

    public ValidateOptionsResult Validate(string? name, XummSimulatorOptions options)
    {
        var failures = new List<string>();

        if (options.Issuer is { Length: > 0 } issuer && !IsAbsoluteHttp(issuer))
        {
            failures.Add($"{Section}:Issuer must be an absolute http(s) URL.");
        }

        if (!XummNetworks.TryFind(options.Network, out _))
        {
            failures.Add($"{Section}:Network '{options.Network}' is not one of {string.Join(", ", XummNetworks.All.Select(n => n.Name))}.");
        }

        if (options.AutoApprove is { Length: > 0 } auto && !XrplAddress.IsValid(auto))
        {
            failures.Add($"{Section}:AutoApprove must be a valid r-address.");
        }

        CheckAddresses(options.UserBlocked, "UserBlocked", failures);
        CheckAddresses(options.KycApproved, "KycApproved", failures);
        CheckApps(options, failures);
        CheckPositive(options.TokenLifetime, "TokenLifetime", failures);
        CheckPositive(options.CodeLifetime, "CodeLifetime", failures);
        CheckPositive(options.PayloadExpiry, "PayloadExpiry", failures);
        CheckPositive(options.UserTokenLifetime, "UserTokenLifetime", failures);
        CheckPositive(options.XAppTokenLifetime, "XAppTokenLifetime", failures);
        CheckPositive(options.OneTimeTokenLifetime, "OneTimeTokenLifetime", failures);
        CheckPositive(options.WebhookTimeout, "WebhookTimeout", failures);
        CheckPositive(options.WebSocketStatusInterval, "WebSocketStatusInterval", failures);

        if (options.PayloadCreationsPerMinute <= 0)
        {
            failures.Add($"{Section}:PayloadCreationsPerMinute must be positive.");
        }

        if (options.ApiCallsPerMinute <= 0)
        {
            failures.Add($"{Section}:ApiCallsPerMinute must be positive.");
        }

        if (options.WebhookRetryDelays?.Any(d => d < TimeSpan.Zero) == true)
        {
            failures.Add($"{Section}:WebhookRetryDelays must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckApps(XummSimulatorOptions options, List<string> failures)
    {
        for (var i = 0; i < options.Apps.Count; i++)
        {
            var app = options.Apps[i];
            var key = $"{Section}:Apps:{i}";
            if (!RandomIds.IsUuidV4(app.ApiKey))
            {
                failures.Add($"{key}:ApiKey must be a UUID v4.");
            }

            if (!RandomIds.IsUuidV4(app.ApiSecret))
            {
                failures.Add($"{key}:ApiSecret must be a UUID v4 written with hyphens.");
            }

            if (string.IsNullOrWhiteSpace(app.Name))
            {
                failures.Add($"{key}:Name is required.");
            }

            foreach (var uri in app.RedirectUris)
            {
                if (!uri.Contains("://", StringComparison.Ordinal))
                {
                    failures.Add($"{key}:RedirectUris entry '{uri}' must be an absolute URI.");
                }
            }

            if (app.WebhookUrl is { Length: > 0 } webhook && !IsAbsoluteHttp(webhook))
            {
                failures.Add($"{key}:WebhookUrl must be an absolute http(s) URL.");
            }

            if (options.Apps.Take(i).Any(other => string.Equals(other.ApiKey, app.ApiKey, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"{key}:ApiKey is used by another application.");
            }
        }
    }

    private static void CheckAddresses(IEnumerable<string> addresses, string key, List<string> failures)
    {
        foreach (var address in addresses.Where(a => !XrplAddress.IsValid(a)))
        {
            failures.Add($"{Section}:{key} entry '{address}' is not a valid r-address.");
        }
    }

    private static void CheckPositive(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:{key} must be positive.");
        }
    }

    private static bool IsAbsoluteHttp(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
