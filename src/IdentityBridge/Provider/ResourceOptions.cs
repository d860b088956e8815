using IdentityBridge.Provider.Clients;

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
