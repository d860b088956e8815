using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace IdentityBridge.Pages;

/// <summary>
/// A page with handlers answers only the requests one of them takes. Razor Pages otherwise renders a page whose
/// handler did not run (a method it has no handler for, such as TRACE, PUT or OPTIONS, or a <c>handler</c> name it
/// does not know) with a model that handler never filled in: at best a page that makes no sense, at worst an error
/// (a signed-in user's account page without its profile). So: 405 with the methods the page takes in Allow, or 404
/// for an unknown handler name of a method it does take. A page without handlers (plain content, such as the home
/// page) is read only: GET and HEAD, 405 for anything else, which it would otherwise answer as if it were a GET.
/// </summary>
internal sealed class PageHandlerRequired : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var handlers = context.ActionDescriptor.HandlerMethods;
        if (context.HandlerMethod is not null) return next();

        var method = context.HttpContext.Request.Method;
        if (handlers.Count == 0)
        {
            if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) return next();
            return MethodNotAllowed(context, [HttpMethods.Get, HttpMethods.Head]);
        }
        if (handlers.Any(h => string.Equals(h.HttpMethod, method, StringComparison.OrdinalIgnoreCase)))
        {
            context.Result = new NotFoundResult();
            return Task.CompletedTask;
        }
        var allowed = handlers.Select(h => h.HttpMethod.ToUpperInvariant()).Distinct().ToList();
        if (allowed.Contains(HttpMethods.Get)) allowed.Add(HttpMethods.Head);
        return MethodNotAllowed(context, allowed);
    }

    private static Task MethodNotAllowed(PageHandlerExecutingContext context, IEnumerable<string> allowed)
    {
        context.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
        return Task.CompletedTask;
    }
}
