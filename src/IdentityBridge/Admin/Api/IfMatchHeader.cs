using IdentityBridge.Admin.Services;
using Microsoft.Net.Http.Headers;

namespace IdentityBridge.Admin.Api;

/// <summary>Reads the If-Match field of a request that changes a client or an account (RFC 9110 section 13.1.1).</summary>
internal static class IfMatchHeader
{
    /// <summary>
    /// The condition (null when the request has no If-Match, which changes unconditionally as before), or a 400
    /// problem when the field is not "*" or a list of entity tags: a malformed field is the request's error, and
    /// guessing what it meant could apply a change to a version its sender never saw.
    /// </summary>
    public static (IfMatch? Condition, IResult? Problem) Read(HttpRequest request)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0) return (null, null);
        if (!EntityTagHeaderValue.TryParseStrictList([.. values.Select(v => v ?? "")], out var tags) || tags is null)
            return (null, Malformed());
        var any = tags.Count(t => t.Tag == "*");
        if (any > 0) return tags.Count == 1 ? (IfMatch.Any, null) : (null, Malformed());
        return (IfMatch.Tags(tags.Where(t => !t.IsWeak).Select(t => t.Tag.ToString())), null);
    }

    private static IResult Malformed() =>
        AdminResults.Problem(AdminError.Invalid("If-Match", "must be * or a list of entity tags as the ETag field gives them, such as \"3.1764662400000\""));
}
