using System.Globalization;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>Query string values parsed by hand, so a bad value is a field-named problem, not a binding failure.</summary>
internal static class QueryValues
{
    public static bool? Bool(string? raw, string field, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(raw)) return null;
        if (bool.TryParse(raw, out var value)) return value;
        errors.Add(field, "must be true or false");
        return null;
    }

    public static DateTimeOffset? Instant(string? raw, string field, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(raw)) return null;
        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        errors.Add(field, "must be an ISO 8601 date or date-time, e.g. 2026-11-21 or 2026-11-21T12:00:00Z");
        return null;
    }

    public static string? Text(string? raw, string field, int max, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (raw.Length > max) errors.Add(field, $"must be at most {max} characters");
        // Nothing searchable holds one, and PostgreSQL refuses a NUL byte in text outright.
        else if (raw.Any(char.IsControl)) errors.Add(field, "must not contain control characters");
        return raw.Trim();
    }
}
