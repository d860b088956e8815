using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace EnterpriseApp.Web;

/// <summary>
/// This app's own base URL, from the addresses the server listens on (never from the request's Host header),
/// for calling its API the way another service would.
/// </summary>
public sealed class SelfAddress(IServer server)
{
    private Uri? _baseUri;

    public Uri BaseUri => _baseUri ??= Resolve();

    private Uri Resolve()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                      ?? addresses.FirstOrDefault()
                      ?? throw new InvalidOperationException("The server has no address yet.");
        var builder = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (builder.Host is "0.0.0.0" or "[::]" or "::") builder.Host = "localhost";
        builder.Path = "/";
        return builder.Uri;
    }
}
