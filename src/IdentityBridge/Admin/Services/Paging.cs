using System.Globalization;

namespace IdentityBridge.Admin.Services;

/// <summary>A page request: <c>page</c> from 1, <c>pageSize</c> from 1 to 200.</summary>
public sealed record PageRequest(int Page = 1, int PageSize = PageRequest.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public const int MaxPage = 1_000_000;

    public int Skip => (Page - 1) * PageSize;

    /// <summary>Parses query values, adding a field error for anything out of bounds.</summary>
    public static PageRequest Parse(string? page, string? pageSize, FieldErrors errors)
    {
        var p = ParseBounded(page, "page", 1, MaxPage, 1, errors);
        var s = ParseBounded(pageSize, "pageSize", 1, MaxPageSize, DefaultPageSize, errors);
        return new PageRequest(p, s);
    }

    private static int ParseBounded(string? raw, string field, int min, int max, int fallback, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add(field, $"must be a whole number from {min} to {max}");
            return fallback;
        }
        return value;
    }
}

/// <summary>One page of results with the total count of matching items.</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total)
{
    public int TotalPages => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
}
