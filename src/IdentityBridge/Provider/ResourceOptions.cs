using IdentityBridge.Provider.Clients;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider;

/// <summary>
/// Protected resources (APIs) clients may ask tokens for with the RFC 8707 <c>resource</c> parameter:
/// <c>Bridge:Resources:n:Uri</c> (absolute, no fragment) and <c>Bridge:Resources:n:Clients</c> (client ids
/// allowed to target it; empty for every client). An access token for a resource has that resource as
/// its <c>aud</c>; without one, <c>aud</c> is the client id.
/// </summary>
public sealed class ResourceOptions
{
    public const string Section = "Bridge:Resources";

    public List<ResourceDefinition> Resources { get; set; } = [];

    public bool IsAllowed(RegisteredClient client, string resource) =>
        Resources.Any(r => string.Equals(r.Uri, resource, StringComparison.Ordinal) && (r.Clients.Count == 0 || r.Clients.Contains(client.ClientId)));
}

public sealed class ResourceDefinition
{
    public string Uri { get; set; } = "";
    public List<string> Clients { get; set; } = [];
}

/// <summary>
/// Startup validation of <c>Bridge:Resources</c>. A request names a resource by an absolute URI without a fragment
/// (RFC 8707 §2), so a resource declared by any other name could never be asked for: every request for it would be
/// refused with invalid_target. Errors name the key as the configuration wrote it (its index may have gaps); the
/// declared resources come first in the list, in the order of their keys, before the admin API that is added after them.
/// </summary>
internal sealed class ResourceOptionsValidator(IConfiguration configuration) : IValidateOptions<ResourceOptions>
{
    public ValidateOptionsResult Validate(string? name, ResourceOptions o)
    {
        var keys = configuration.GetSection(ResourceOptions.Section).GetChildren().Select(c => c.Key).ToArray();
        var errors = new List<string>();
        for (var i = 0; i < o.Resources.Count; i++)
        {
            if (Authorize.AuthorizeRequestValidator.IsResourceUri(o.Resources[i].Uri)) continue;
            var key = i < keys.Length ? keys[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            errors.Add($"{ResourceOptions.Section}:{key}:Uri must be an absolute URI without a fragment, such as https://api.example.com, not '{o.Resources[i].Uri}'.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
