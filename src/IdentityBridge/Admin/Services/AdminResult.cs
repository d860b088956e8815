namespace IdentityBridge.Admin.Services;

public enum AdminErrorKind
{
    Validation,
    NotFound,
    Conflict,
    /// <summary>The request's If-Match names none of the thing's current entity tags (RFC 9110 section 13.1.1).</summary>
    PreconditionFailed,
}

/// <summary>Why an admin operation was refused; the API turns it into RFC 9457 problem details.</summary>
public sealed record AdminError(AdminErrorKind Kind, string Title, string? Detail = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static AdminError NotFound(string what, string id) => new(AdminErrorKind.NotFound, $"{what} not found", $"There is no {what.ToLowerInvariant()} '{id}'.");
    public static AdminError Conflict(string title, string detail) => new(AdminErrorKind.Conflict, title, detail);
    public static AdminError PreconditionFailed(string what, string id) => new(AdminErrorKind.PreconditionFailed, $"{what} changed since it was read",
        $"{what} '{id}' is no longer the version this change was made from; nothing was saved. Read it again and retry.");
    public static AdminError Invalid(FieldErrors errors) => new(AdminErrorKind.Validation, "The request is not valid", "See errors for each field.", errors.ToDictionary());
    public static AdminError Invalid(string field, string message) => Invalid(new FieldErrors().Add(field, message));

    /// <summary>One line for people (CLI, console notices).</summary>
    public override string ToString() => Errors is { Count: > 0 }
        ? string.Join("; ", Errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")))
        : Detail ?? Title;
}

/// <summary>The outcome of an admin operation: a value or an <see cref="AdminError"/>.</summary>
public sealed class AdminResult<T>
{
    private AdminResult(T? value, AdminError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public AdminError? Error { get; }
    public bool Ok => Error is null;

    public static implicit operator AdminResult<T>(T value) => new(value, null);
    public static implicit operator AdminResult<T>(AdminError error) => new(default, error);
}

/// <summary>Field-named validation messages, keyed like the JSON the caller sent (<c>redirectUris[0]</c>).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
