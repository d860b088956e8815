using System.Net;

namespace IdentityBridge.EndToEnd.Infrastructure;

/// <summary>
/// The accept loop of the small HTTP servers the tests run on loopback (a receiver, a proxy, another site):
/// each request goes to the handler until the listener stops. A request whose caller went away mid-answer
/// is dropped; the loop goes on.
/// </summary>
public static class LoopbackListener
{
    public static async Task AcceptAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                await handle(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The caller went away.
            }
        }
    }
}
