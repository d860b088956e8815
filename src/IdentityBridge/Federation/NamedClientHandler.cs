namespace IdentityBridge.Federation;

/// <summary>
/// Sends through the handler pipeline of a named HttpClient, taken from the factory at each request. The
/// upstream handler's backchannel is created when its options are (at startup), before the pipeline can be
/// built; this defers building it to the first call and follows the factory's handler rotation.
/// </summary>
internal sealed class NamedClientHandler(IHttpMessageHandlerFactory factory, string name) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var invoker = new HttpMessageInvoker(factory.CreateHandler(name), disposeHandler: false);
        return await invoker.SendAsync(request, cancellationToken);
    }
}
