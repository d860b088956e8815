using IdentityBridge.Admin.Services;

namespace IdentityBridge.Admin.Api;

/// <summary>Reads the If-Match field of a request that changes a client or an account (RFC 9110 section 13.1.1).</summary>
internal static class IfMatchHeader
{
    /// <summary>
    /// The condition (null when the request has no If-Match, which changes unconditionally as before), or a 400
    /// problem when the field is not "*" or a list of entity tags (see <see cref="EntityTagField.Parse"/>).
    /// </summary>
    public static (IfMatch? Condition, IResult? Problem) Read(HttpRequest request)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0) return (null, null);
        if (EntityTagField.Parse(values) is not { } field) return (null, EntityTagField.Malformed("If-Match"));
        return (field.Any ? IfMatch.Any : IfMatch.Tags(field.Tags.Where(t => !t.IsWeak).Select(t => t.Tag.ToString())), null);
    }
}
