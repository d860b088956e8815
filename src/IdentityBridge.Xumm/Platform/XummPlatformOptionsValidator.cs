using Microsoft.Extensions.Options;

namespace IdentityBridge.Xumm;

/// <summary>Startup validation of <see cref="XummPlatformOptions"/>.</summary>
internal sealed class XummPlatformOptionsValidator : IValidateOptions<XummPlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, XummPlatformOptions options)
    {
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
