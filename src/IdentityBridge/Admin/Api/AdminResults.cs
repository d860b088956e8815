using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>Turns service outcomes into HTTP: values as JSON, errors as RFC 9457 problem details.</summary>
public static class AdminResults
{
    public static IResult Problem(AdminError error) => error.Kind switch
    {
        AdminErrorKind.Validation => Results.ValidationProblem(
            error.Errors ?? new Dictionary<string, string[]>(), error.Detail, title: error.Title,
            type: "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.1"),
        AdminErrorKind.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: error.Title, detail: error.Detail,
            type: "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.5"),
        AdminErrorKind.PreconditionFailed => Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: error.Title, detail: error.Detail,
            type: "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.13"),
        _ => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: error.Title, detail: error.Detail,
            type: "https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.10"),
    };

    public static IResult From<T>(AdminResult<T> result, Func<T, IResult> ok) => result.Ok ? ok(result.Value!) : Problem(result.Error!);

    public static IResult Ok<T>(AdminResult<T> result) => From(result, v => Results.Json(v, AdminJson.Options));

    /// <summary>A value as JSON, with its entity tag in <c>ETag</c> (RFC 9110 section 8.8.3).</summary>
    public static IResult Tagged<T>(HttpContext context, AdminResult<T> result, Func<T, string> tag, Func<T, IResult>? ok = null) => From(result, v =>
    {
        context.Response.Headers.ETag = tag(v);
        return ok is null ? Results.Json(v, AdminJson.Options) : ok(v);
    });

    /// <summary>
    /// A value as <see cref="Tagged{T}"/> answers it, or, when <paramref name="ifNoneMatch"/> names its current tag,
    /// 304 Not Modified with that tag in <c>ETag</c> and no body (RFC 9110 section 15.4.5): the sender has it already.
    /// </summary>
    public static IResult TaggedUnlessNotModified<T>(HttpContext context, AdminResult<T> result, Func<T, string> tag, IfNoneMatch? ifNoneMatch) =>
        Tagged(context, result, tag, v => ifNoneMatch?.Matches(tag(v)) == true
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Json(v, AdminJson.Options));

    public static IResult Json<T>(T value) => Results.Json(value, AdminJson.Options);

    public static PageView<T> View<T>(ResultPage<T> page) => new(page.Items, page.Page, page.PageSize, page.Total, page.TotalPages);
}
