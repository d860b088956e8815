using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Http.Extensions;

namespace IdentityBridge.Pages.Admin;

/// <summary>Previous/next links that keep the page's other query values.</summary>
public sealed record PagerModel(string Path, IQueryCollection Query, int Page, int TotalPages, int Total)
{
    public static PagerModel For<T>(HttpRequest request, ResultPage<T> page) =>
        new(request.Path, request.Query, page.Page, page.TotalPages, page.Total);

    public string Link(int page)
    {
        var query = new QueryBuilder();
        foreach (var (key, values) in Query.Where(q => q.Key != "page"))
            foreach (var value in values)
                if (!string.IsNullOrEmpty(value)) query.Add(key, value);
        query.Add("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Path + query.ToQueryString();
    }
}
