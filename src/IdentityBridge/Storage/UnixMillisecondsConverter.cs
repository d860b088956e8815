using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityBridge.Storage;

internal sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.ToUnixTimeMilliseconds(),
    v => DateTimeOffset.FromUnixTimeMilliseconds(v));
