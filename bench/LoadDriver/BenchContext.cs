namespace LoadDriver;

/// <summary>Everything an operation needs: the shared keep-alive client, the provider's endpoints and the settings.</summary>
public sealed class BenchContext(HttpClient http, ProviderMetadata provider, BenchSettings settings)
{
    public HttpClient Http { get; } = http;

    public ProviderMetadata Provider { get; } = provider;

    public BenchSettings Settings { get; } = settings;

    /// <summary>
    /// One client for the whole run: keep-alive connections, no automatic redirects and no shared cookie
    /// jar (each <see cref="WorkerSlot"/> sends its own cookies), no proxy, no decompression.
    /// </summary>
    public static HttpClient CreateHttpClient(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        Timeout = timeout,
    };
}
