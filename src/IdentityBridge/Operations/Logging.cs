namespace IdentityBridge.Operations;

internal static class Logging
{
    /// <summary>
    /// JSON lines outside Development (machine-read), readable lines in Development. Scopes are on, so
    /// every line carries the request's RequestId and TraceId.
    /// </summary>
    public static WebApplicationBuilder AddBridgeLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (builder.Environment.IsDevelopment())
            builder.Logging.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        else
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        return builder;
    }
}
