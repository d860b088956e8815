using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace IdentityBridge.Pages;

/// <summary>
/// A page with handlers answers only the requests one of them takes. Razor Pages otherwise renders a page whose
/// handler did not run (a method it has no handler for, such as TRACE, PUT or OPTIONS, or a <c>handler</c> name it
/// does not know) with a model that handler never filled in: at best a page that makes no sense, at worst an error
/// (a signed-in user's account page without its profile). So: 405 with the methods the page takes in Allow, or 404
/// for an unknown handler name of a method it does take. Pages without handlers (plain content) are left alone.
/// </summary>
internal sealed class PageHandlerRequired : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var handlers = context.ActionDescriptor.HandlerMethods;
        if (context.HandlerMethod is not null || handlers.Count == 0) return next();

        var method = context.HttpContext.Request.Method;
        if (handlers.Any(h => string.Equals(h.HttpMethod, method, StringComparison.OrdinalIgnoreCase)))
        {
            context.Result = new NotFoundResult();
            return Task.CompletedTask;
        }
        var allowed = handlers.Select(h => h.HttpMethod.ToUpperInvariant()).Distinct().ToList();
        if (allowed.Contains(HttpMethods.Get)) allowed.Add(HttpMethods.Head);
        context.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
        return Task.CompletedTask;
    }
}
