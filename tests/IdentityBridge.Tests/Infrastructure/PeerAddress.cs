using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// TestServer has no TCP peer (RemoteIpAddress is null, which the forwarded headers middleware and the rate
/// limiter treat specially). This sets the peer from the <see cref="Header"/> request header before the bridge's
/// pipeline runs, and records what the pipeline made of the connection (after forwarded headers) once it is done.
/// </summary>
public sealed class PeerAddress
{
    public const string Header = "X-Test-Peer";

    public IPAddress? LastRemoteIp { get; private set; }
    public string? LastScheme { get; private set; }

    public void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter>(new Filter(this));

    public static HttpRequestMessage Get(string url, string peer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(Header, peer);
        return request;
    }

    private sealed class Filter(PeerAddress owner) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, proceed) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var peer))
                    context.Connection.RemoteIpAddress = peer;
                await proceed(context);
                owner.LastRemoteIp = context.Connection.RemoteIpAddress;
                owner.LastScheme = context.Request.Scheme;
            });
            next(app);
        };
    }
}
