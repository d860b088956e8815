using IdentityBridge.EndToEnd.Infrastructure;
using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace IdentityBridge.EndToEnd.Provider;

/// <summary>
/// An application's web site on <c>http://localhost:PORT</c>: for a browser another site than the bridge on
/// <c>http://127.0.0.1:PORT</c> (a site is the host, not the port). It serves the pages a test puts up, the
/// redirects it sets, and a plain page for any other path (the redirect and post-logout URIs).
/// </summary>
public sealed class OtherSite : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, string> _pages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _redirects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _silent = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public OtherSite(int port)
    {
        BaseUrl = $"http://localhost:{port}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string BaseUrl { get; }

    /// <summary>The path and query of every request the site was sent, in the order they came.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>
    /// Puts up a page at <paramref name="path"/> that posts <paramref name="fields"/> as a form to
    /// <paramref name="action"/> as soon as it loads, as an application's logout or login button would.
    /// Returns the page's URL.
    /// </summary>
    public string PutAutoPostingForm(string path, string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Application</title></head><body>");
        html.Append("<form id=\"f\" method=\"post\" action=\"").Append(WebUtility.HtmlEncode(action)).Append("\">");
        foreach (var (name, value) in fields)
            html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(name)).Append("\" value=\"").Append(WebUtility.HtmlEncode(value)).Append("\">");
        html.Append("</form><script>document.getElementById('f').submit();</script></body></html>");
        _pages[path] = html.ToString();
        return BaseUrl + path;
    }

    /// <summary>
    /// Answers <paramref name="path"/> (GET or POST) with a 302 to <paramref name="location"/> that carries on the
    /// parameters it was given (the query, or the form of a POST), as an application's callback does that hands
    /// the user on to another of its origins. Returns the path's URL.
    /// </summary>
    public string PutRedirect(string path, string location)
    {
        _redirects[path] = location;
        return BaseUrl + path;
    }

    /// <summary>Makes <paramref name="path"/> never answer (until the site stops), as a page that hangs. Returns its URL.</summary>
    public string PutSilence(string path)
    {
        _silent[path] = true;
        return BaseUrl + path;
    }

    private Task LoopAsync() => LoopbackListener.AcceptAsync(_listener, async context =>
    {
        var path = context.Request.Url?.AbsolutePath ?? "/";
        Requests.Enqueue(context.Request.Url?.PathAndQuery ?? "/");
        if (_silent.ContainsKey(path)) return; // left open: the caller waits, the site answers the next request
        if (_redirects.TryGetValue(path, out var location))
        {
            var parameters = context.Request.Url?.Query.TrimStart('?') ?? "";
            if (context.Request.HttpMethod == "POST")
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.ASCII);
                parameters = await reader.ReadToEndAsync();
            }
            context.Response.StatusCode = 302;
            context.Response.Headers["Location"] = parameters.Length == 0 ? location : location + "?" + parameters;
            context.Response.Headers["Cache-Control"] = "no-store";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
            return;
        }
        var html = _pages.TryGetValue(path, out var page)
            ? page
            : $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Application</title></head><body><p id=\"path\">{WebUtility.HtmlEncode(path)}</p></body></html>";
        var bytes = Encoding.UTF8.GetBytes(html);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers["Cache-Control"] = "no-store";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    });

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
