using IdentityBridge.Admin.Services;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace IdentityBridge.Admin.Api;

/// <summary>The value of If-Match and If-None-Match (RFC 9110 sections 13.1.1 and 13.1.2): "*" or a list of entity tags.</summary>
internal static class EntityTagField
{
    /// <summary>
    /// The field's "*" or its entity tags, or null when it is neither ("*" among tags included). A malformed field is
    /// the request's error: guessing what it meant could act on a version its sender never saw.
    /// </summary>
    public static (bool Any, IList<EntityTagHeaderValue> Tags)? Parse(StringValues values)
    {
        if (!EntityTagHeaderValue.TryParseStrictList([.. values.Select(v => v ?? "")], out var tags) || tags is null) return null;
        var any = tags.Count(t => t.Tag == "*");
        if (any == 0) return (false, tags);
        return tags.Count == 1 ? (true, []) : null;
    }

    /// <summary>The 400 problem naming a malformed <paramref name="field"/>.</summary>
    public static IResult Malformed(string field) =>
        AdminResults.Problem(AdminError.Invalid(field, "must be * or a list of entity tags as the ETag field gives them, such as \"3.1764662400000\""));
}
