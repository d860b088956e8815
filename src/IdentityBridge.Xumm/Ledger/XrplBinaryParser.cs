namespace IdentityBridge.Xumm;

/// <summary>One top-level field of a serialized XRPL object: its type code, field code and where its bytes lie.</summary>
internal readonly record struct XrplField(int TypeCode, int FieldCode, int Start, int ValueStart, int End);

/// <summary>
/// Reads the XRP Ledger's canonical binary serialization far enough to find every top-level field and to know
/// that the whole blob is well formed: field headers (type and field code in one byte, or extended with one or two
/// more), the fixed widths of the integer and hash types, amounts (XRP in 8 bytes, issued currencies in 48),
/// length-prefixed blobs and account ids, paths, inner objects (ending <c>0xE1</c>) and arrays (ending
/// <c>0xF1</c>). Fields must come in canonical order, each once, as every XRPL serializer writes them: a blob that
/// names a field twice could mean two things, so it means nothing. Any type this reader does not know ends the
/// read with a refusal rather than a guess at its length.
/// </summary>
internal static class XrplBinaryParser
{
    public const int UInt16 = 1;
    public const int UInt32 = 2;
    public const int Blob = 7;
    public const int AccountId = 8;
    public const int StObject = 14;
    public const int StArray = 15;

    private const int UInt64 = 3;
    private const int Hash128 = 4;
    private const int Hash256 = 5;
    private const int Amount = 6;
    private const int UInt8 = 16;
    private const int Hash160 = 17;
    private const int PathSet = 18;
    private const int Vector256 = 19;
    private const int Hash192 = 21;
    private const int Currency = 26;

    private const int EndMarkerField = 1;
    private const int MaxDepth = 8;

    /// <summary>The top-level fields of <paramref name="blob"/>, or null when it is not a well-formed object.</summary>
    public static IReadOnlyList<XrplField>? TryReadFields(ReadOnlySpan<byte> blob)
    {
        var fields = new List<XrplField>();
        var position = 0;
        return ReadObject(blob, ref position, topLevel: true, depth: 0, fields) ? fields : null;
    }

    /// <summary>Reads an XRPL variable-length prefix (one to three bytes) and the length it announces.</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> data, ref int position, out int length)
    {
        length = 0;
        if (position >= data.Length) return false;
        int first = data[position++];
        if (first <= 192)
        {
            length = first;
        }
        else if (first <= 240)
        {
            if (position >= data.Length) return false;
            length = 193 + ((first - 193) << 8) + data[position++];
        }
        else if (first <= 254)
        {
            if (position + 1 >= data.Length) return false;
            length = 12481 + ((first - 241) << 16) + (data[position] << 8) + data[position + 1];
            position += 2;
        }
        else
        {
            return false;
        }

        return length <= data.Length - position;
    }

    private static bool ReadObject(ReadOnlySpan<byte> data, ref int position, bool topLevel, int depth, List<XrplField>? fields)
    {
        var previous = -1;
        while (true)
        {
            if (position == data.Length) return topLevel;
            var start = position;
            if (!TryReadHeader(data, ref position, out var type, out var field)) return false;
            if (type == StObject && field == EndMarkerField) return !topLevel;
            if (type == StArray && field == EndMarkerField) return false;

            var order = (type << 16) | field;
            if (order <= previous) return false;
            previous = order;

            var valueStart = position;
            if (!SkipValue(data, ref position, type, depth)) return false;
            fields?.Add(new XrplField(type, field, start, valueStart, position));
        }
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> data, ref int position, out int type, out int field)
    {
        type = field = 0;
        if (position >= data.Length) return false;
        int first = data[position++];
        type = first >> 4;
        field = first & 0x0F;
        // The extended forms exist for codes of 16 and more; a smaller code written long is not canonical.
        if (type == 0)
        {
            if (position >= data.Length) return false;
            type = data[position++];
            if (type < 16) return false;
        }

        if (field == 0)
        {
            if (position >= data.Length) return false;
            field = data[position++];
            if (field < 16) return false;
        }

        return true;
    }

    private static bool SkipValue(ReadOnlySpan<byte> data, ref int position, int type, int depth)
    {
        switch (type)
        {
            case UInt8: return Skip(data, ref position, 1);
            case UInt16: return Skip(data, ref position, 2);
            case UInt32: return Skip(data, ref position, 4);
            case UInt64: return Skip(data, ref position, 8);
            case Hash128: return Skip(data, ref position, 16);
            case Hash160: return Skip(data, ref position, 20);
            case Currency: return Skip(data, ref position, 20);
            case Hash192: return Skip(data, ref position, 24);
            case Hash256: return Skip(data, ref position, 32);
            case Amount: return SkipAmount(data, ref position);
            case Blob: return TryReadLength(data, ref position, out var blobLength) && Skip(data, ref position, blobLength);
            case AccountId: return TryReadLength(data, ref position, out var idLength) && idLength == XrplAddress.AccountIdLength && Skip(data, ref position, idLength);
            case Vector256: return TryReadLength(data, ref position, out var vectorLength) && vectorLength % 32 == 0 && Skip(data, ref position, vectorLength);
            case PathSet: return SkipPathSet(data, ref position);
            case StObject: return depth < MaxDepth && ReadObject(data, ref position, topLevel: false, depth + 1, fields: null);
            case StArray: return depth < MaxDepth && SkipArray(data, ref position, depth + 1);
            default: return false;
        }
    }

    private static bool Skip(ReadOnlySpan<byte> data, ref int position, int count)
    {
        if (count > data.Length - position) return false;
        position += count;
        return true;
    }

    /// <summary>
    /// An amount's first bit says "not XRP": issued currencies are 8 bytes of value, 20 of currency and 20 of issuer.
    /// XRP amounts are 8 bytes; the third bit marks the newer multi-purpose-token form, which is refused.
    /// </summary>
    private static bool SkipAmount(ReadOnlySpan<byte> data, ref int position)
    {
        if (position >= data.Length) return false;
        var first = data[position];
        if ((first & 0x80) != 0) return Skip(data, ref position, 48);
        return (first & 0x20) == 0 && Skip(data, ref position, 8);
    }

    /// <summary>Array elements are inner objects, each under its own field header; the array ends with <c>0xF1</c>.</summary>
    private static bool SkipArray(ReadOnlySpan<byte> data, ref int position, int depth)
    {
        while (true)
        {
            if (!TryReadHeader(data, ref position, out var type, out var field)) return false;
            if (type == StArray && field == EndMarkerField) return true;
            if (type != StObject || field == EndMarkerField) return false;
            if (!ReadObject(data, ref position, topLevel: false, depth, fields: null)) return false;
        }
    }

    /// <summary>
    /// Paths are steps of a type byte (0x01 account, 0x10 currency, 0x20 issuer, 20 bytes each) separated by 0xFF;
    /// 0x00 ends the set. A step with any other bit, or with none, is refused.
    /// </summary>
    private static bool SkipPathSet(ReadOnlySpan<byte> data, ref int position)
    {
        while (true)
        {
            if (position >= data.Length) return false;
            int step = data[position++];
            if (step == 0x00) return true;
            if (step == 0xFF) continue;
            if ((step & ~0x31) != 0) return false;
            var parts = ((step & 0x01) != 0 ? 1 : 0) + ((step & 0x10) != 0 ? 1 : 0) + ((step & 0x20) != 0 ? 1 : 0);
            if (!Skip(data, ref position, parts * 20)) return false;
        }
    }
}
