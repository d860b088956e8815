using System.Diagnostics.CodeAnalysis;

namespace IdentityBridge.Xumm;

/// <summary>The value a platform call returned, or why it failed.</summary>
public sealed class XummResult<T>
    where T : notnull
{
    private XummResult(T? value, XummError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The returned value, when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>The failure, when not <see cref="IsSuccess"/>.</summary>
    public XummError? Error { get; }

    /// <summary>True when the call returned a value.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>A successful call.</summary>
    public static XummResult<T> Ok(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    /// <summary>A failed call.</summary>
    public static XummResult<T> Fail(XummError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"Ok({Value})" : $"Error({Error})";
}
