using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace IdentityBridge.Xumm;

/// <summary>The two kinds of XRPL key pairs.</summary>
public enum XrplKeyType
{
    /// <summary>ECDSA on secp256k1: a 33-byte compressed public key (0x02 or 0x03 first); signs SHA-512Half of the data, DER-encoded.</summary>
    Secp256k1,

    /// <summary>Ed25519: 0xED followed by the 32-byte public key; signs the data itself.</summary>
    Ed25519,
}

/// <summary>
/// XRPL signature checks and the derivation of an account id from a public key. secp256k1 runs on .NET's own
/// ECDSA (OpenSSL on Linux) once the compressed point is expanded; Ed25519 and RIPEMD-160 come from libcrypto.
/// Signatures must be fully canonical as the ledger requires them (strict DER, low S): a malleated signature
/// would check out but give the blob another hash.
/// </summary>
internal static class XrplSignatures
{
    public const int PublicKeyLength = 33;
    private const byte Ed25519Prefix = 0xED;

    private static readonly BigInteger P = BigInteger.Pow(2, 256) - BigInteger.Pow(2, 32) - 977;
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfN = N >> 1;
    private static readonly Lazy<ECCurve?> Secp256k1Curve = new(LoadCurve);

    private static readonly BigInteger EdP = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger EdD = EdMod(-121665 * EdInverse(121666));

    /// <summary>
    /// The key type of an XRPL public key, or null when it is neither form or an Ed25519 key that proves nothing
    /// (<see cref="IsOutsideSmallSubgroup"/>).
    /// </summary>
    public static XrplKeyType? KeyTypeOf(ReadOnlySpan<byte> publicKey) => publicKey.Length != PublicKeyLength ? null : publicKey[0] switch
    {
        Ed25519Prefix => IsOutsideSmallSubgroup(publicKey[1..]) ? XrplKeyType.Ed25519 : null,
        0x02 or 0x03 => XrplKeyType.Secp256k1,
        _ => null,
    };

    /// <summary>Checks <paramref name="signature"/> over <paramref name="signingData"/> (prefix included) with an XRPL public key.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signingData, ReadOnlySpan<byte> signature) => KeyTypeOf(publicKey) switch
    {
        XrplKeyType.Ed25519 => LibCrypto.VerifyEd25519(publicKey[1..], signingData, signature),
        XrplKeyType.Secp256k1 => VerifySecp256k1(publicKey, Sha512Half(signingData), signature),
        _ => false,
    };

    /// <summary>The account id of a public key: RIPEMD-160 of its SHA-256 (all 33 bytes, the 0xED marker included); null when RIPEMD-160 is unavailable.</summary>
    public static byte[]? AccountIdOf(ReadOnlySpan<byte> publicKey) => LibCrypto.Ripemd160(SHA256.HashData(publicKey));

    /// <summary>The first half of SHA-512: the ledger's hash for transaction ids and signing.</summary>
    public static byte[] Sha512Half(ReadOnlySpan<byte> data) => SHA512.HashData(data)[..32];

    private static bool VerifySecp256k1(ReadOnlySpan<byte> publicKey, byte[] hash, ReadOnlySpan<byte> der)
    {
        if (Secp256k1Curve.Value is not { } curve || !TryParseDer(der, out var r, out var s) || s > HalfN) return false;
        if (Decompress(publicKey) is not { } point) return false;

        Span<byte> signature = stackalloc byte[64];
        WriteFixed(r, signature[..32]);
        WriteFixed(s, signature[32..]);
        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters { Curve = curve, Q = point });
            return ecdsa.VerifyHash(hash, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>y² = x³ + 7 over the field; the first byte says which of the two roots (even 0x02, odd 0x03).</summary>
    private static ECPoint? Decompress(ReadOnlySpan<byte> publicKey)
    {
        var x = new BigInteger(publicKey[1..], isUnsigned: true, isBigEndian: true);
        if (x >= P) return null;
        var ySquared = (BigInteger.ModPow(x, 3, P) + 7) % P;
        var y = BigInteger.ModPow(ySquared, (P + 1) / 4, P);
        if (BigInteger.ModPow(y, 2, P) != ySquared) return null;
        if (y.IsEven != (publicKey[0] == 0x02)) y = P - y;

        var xBytes = new byte[32];
        var yBytes = new byte[32];
        WriteFixed(x, xBytes);
        WriteFixed(y, yBytes);
        return new ECPoint { X = xBytes, Y = yBytes };
    }

    /// <summary>
    /// Whether an Ed25519 key is the canonical encoding (y below p) of a point outside the subgroup of order 8. OpenSSL
    /// verifies with any key that decodes to a curve point, and a key A of small order makes R = [S]B - [k]A
    /// independent of any secret: with the identity as key, R = identity and S = 0 sign every message, and the other
    /// small points do the same for one message in 2, 4 or 8. Nobody holds such a key, so its signature proves nothing.
    /// The point has small order exactly when doubling it three times gives x = 0; doubling needs only x² and y²:
    /// y' = (x² + y²) / (1 - d·x²·y²) and x' = 2xy / (1 + d·x²·y²) on -x² + y² = 1 + d·x²·y².
    /// </summary>
    private static bool IsOutsideSmallSubgroup(ReadOnlySpan<byte> key)
    {
        Span<byte> yBytes = stackalloc byte[32];
        key.CopyTo(yBytes);
        yBytes[31] &= 0x7F;   // the top bit is the sign of x
        var y = new BigInteger(yBytes, isUnsigned: true, isBigEndian: false);
        if (y >= EdP) return false;

        var y2 = y * y % EdP;
        var x2 = EdMod((y2 - 1) * EdInverse(EdD * y2 + 1));
        for (var i = 0; i < 3 && !x2.IsZero; i++)
        {
            var t = EdD * x2 % EdP * y2 % EdP;
            var nextX2 = EdMod(4 * x2 * y2 % EdP * EdInverse(EdMod(1 + t) * EdMod(1 + t)));
            var nextY = EdMod((x2 + y2) * EdInverse(EdMod(1 - t)));
            x2 = nextX2;
            y2 = nextY * nextY % EdP;
        }

        return !x2.IsZero;
    }

    private static BigInteger EdMod(BigInteger value) => (value % EdP + EdP) % EdP;

    private static BigInteger EdInverse(BigInteger value) => BigInteger.ModPow(EdMod(value), EdP - 2, EdP);

    /// <summary>Strict DER: SEQUENCE of two positive, minimally encoded INTEGERs below the group order, nothing more.</summary>
    private static bool TryParseDer(ReadOnlySpan<byte> der, out BigInteger r, out BigInteger s)
    {
        r = s = BigInteger.Zero;
        if (der.Length is < 8 or > 72 || der[0] != 0x30 || der[1] != der.Length - 2) return false;
        var position = 2;
        return TryReadInteger(der, ref position, out r) && TryReadInteger(der, ref position, out s)
            && position == der.Length && !r.IsZero && !s.IsZero && r < N && s < N;
    }

    private static bool TryReadInteger(ReadOnlySpan<byte> der, ref int position, out BigInteger value)
    {
        value = BigInteger.Zero;
        if (position + 2 > der.Length || der[position] != 0x02) return false;
        int length = der[position + 1];
        position += 2;
        if (length is < 1 or > 33 || position + length > der.Length) return false;
        var bytes = der.Slice(position, length);
        if ((bytes[0] & 0x80) != 0 || (length > 1 && bytes[0] == 0 && (bytes[1] & 0x80) == 0)) return false;
        position += length;
        value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return true;
    }

    private static void WriteFixed(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        var length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(destination[(destination.Length - length)..], out _, isUnsigned: true, isBigEndian: true);
    }

    private static ECCurve? LoadCurve()
    {
        try
        {
            var curve = ECCurve.CreateFromFriendlyName("secp256k1");
            using var probe = ECDsa.Create(curve);
            return curve;
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            return null;
        }
    }
}
