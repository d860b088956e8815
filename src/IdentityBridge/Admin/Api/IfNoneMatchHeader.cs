using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>Reads the If-None-Match field of a GET of one client or account (RFC 9110 section 13.1.2).</summary>
internal static class IfNoneMatchHeader
{
    /// <summary>What a GET of one client or account says about If-None-Match, in its OpenAPI summary.</summary>
    public const string Note = "With If-None-Match naming its current ETag (weak comparison: W/\"x\" names \"x\"), or *, "
        + "the answer is 304 Not Modified with the ETag and no body; a field that is not * or a list of entity tags is a 400.";

    /// <summary>
    /// The condition (null when the request has no If-None-Match), or a 400 problem when the field is not "*" or a list
    /// of entity tags, as for a malformed If-Match (see <see cref="EntityTagField.Parse"/>): one rule for both fields.
    /// </summary>
    public static (IfNoneMatch? Condition, IResult? Problem) Read(HttpRequest request)
    {
        var values = request.Headers.IfNoneMatch;
        if (values.Count == 0) return (null, null);
        if (EntityTagField.Parse(values) is not { } field) return (null, EntityTagField.Malformed("If-None-Match"));
        return (field.Any ? IfNoneMatch.Any : IfNoneMatch.Tags(field.Tags.Select(t => t.Tag.ToString())), null);
    }
}
