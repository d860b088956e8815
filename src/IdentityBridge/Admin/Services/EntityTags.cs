using System.Globalization;

namespace IdentityBridge.Admin.Services;

/// <summary>
/// Entity tags (RFC 9110 section 8.8.3) of clients and accounts: strong, opaque, made of the stored version and
/// the creation time, so that a client deleted and registered again under the same id (whose version starts
/// again at 0) does not match a tag of the one before.
/// </summary>
public static class EntityTags
{
    public static string Of(long version, DateTimeOffset createdAt) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{version}.{createdAt.ToUnixTimeMilliseconds()}\"");
}

/// <summary>
/// An If-Match condition (RFC 9110 section 13.1.1): "*", true of anything that exists, or a list of entity tags,
/// true when one of them is the current tag by strong comparison (weak tags never match, and are left out).
/// </summary>
public sealed class IfMatch
{
    private readonly IReadOnlyList<string> _tags;

    private IfMatch(bool isAny, IReadOnlyList<string> tags)
    {
        IsAny = isAny;
        _tags = tags;
    }

    public static IfMatch Any { get; } = new(true, []);

    /// <summary>Strong entity tags, each with its quotes.</summary>
    public static IfMatch Tags(IEnumerable<string> strongTags) => new(false, [.. strongTags]);

    public bool IsAny { get; }

    public bool Matches(string currentTag) => IsAny || _tags.Contains(currentTag, StringComparer.Ordinal);
}

/// <summary>
/// An If-None-Match condition (RFC 9110 section 13.1.2): "*", true of anything that exists, or a list of entity tags,
/// true when one of them is the current tag by weak comparison (W/"x" matches "x": a cache may keep a tag it got
/// weakened on the way). True means the sender already has the current version.
/// </summary>
public sealed class IfNoneMatch
{
    private readonly IReadOnlyList<string> _tags;

    private IfNoneMatch(bool isAny, IReadOnlyList<string> tags)
    {
        IsAny = isAny;
        _tags = tags;
    }

    public static IfNoneMatch Any { get; } = new(true, []);

    /// <summary>Entity tags, each with its quotes and without the W/ of a weak one.</summary>
    public static IfNoneMatch Tags(IEnumerable<string> opaqueTags) => new(false, [.. opaqueTags]);

    public bool IsAny { get; }

    public bool Matches(string currentTag) => IsAny || _tags.Contains(currentTag, StringComparer.Ordinal);
}
