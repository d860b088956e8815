using System.Numerics;
using System.Security.Cryptography;
using XummSimulator.Model;

namespace XummSimulator.Internal;

/// <summary>
/// A wallet's XRPL key pair, kept as raw private key bytes. secp256k1 keys sign SHA-512Half of the signing data with
/// ECDSA (DER, low S, as the ledger requires); Ed25519 keys sign the signing data itself.
/// </summary>
internal sealed class WalletKey
{
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly ECCurve Curve = ECCurve.CreateFromFriendlyName("secp256k1");
    private readonly byte[] _privateKey;
    private readonly ECPoint _point;

    private WalletKey(SimulatedKeyType type, byte[] privateKey, byte[] publicKey, ECPoint point)
    {
        KeyType = type;
        _privateKey = privateKey;
        PublicKey = publicKey;
        _point = point;
    }

    public SimulatedKeyType KeyType { get; }

    /// <summary>The 33-byte XRPL form: 0x02/0x03 and X for secp256k1, 0xED and the key for Ed25519.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The address this key is the master key of: RIPEMD-160 of SHA-256 of the public key.</summary>
    public string OwnAddress => XrplAddress.Encode(Ed25519Native.Ripemd160(SHA256.HashData(PublicKey)));

    public static WalletKey Create(SimulatedKeyType type)
    {
        if (type == SimulatedKeyType.Ed25519)
        {
            var seed = RandomNumberGenerator.GetBytes(32);
            return new WalletKey(type, seed, [0xED, .. Ed25519Native.PublicKeyOf(seed)], default);
        }

        using var ecdsa = ECDsa.Create(Curve);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        var prefix = (byte)((parameters.Q.Y![^1] & 1) == 0 ? 0x02 : 0x03);
        return new WalletKey(type, parameters.D!, [prefix, .. parameters.Q.X!], parameters.Q);
    }

    public byte[] Sign(ReadOnlySpan<byte> signingData)
    {
        if (KeyType == SimulatedKeyType.Ed25519)
        {
            return Ed25519Native.Sign(_privateKey, signingData);
        }

        using var ecdsa = ECDsa.Create(new ECParameters { Curve = Curve, D = _privateKey, Q = _point });
        var fixedFields = ecdsa.SignHash(SHA512.HashData(signingData)[..32], DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var r = new BigInteger(fixedFields.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(fixedFields.AsSpan(32), isUnsigned: true, isBigEndian: true);
        if (s > Order >> 1)
        {
            s = Order - s;
        }

        var rBytes = DerInteger(r);
        var sBytes = DerInteger(s);
        return [0x30, (byte)(rBytes.Length + sBytes.Length), .. rBytes, .. sBytes];
    }

    private static byte[] DerInteger(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] minimal = (bytes[0] & 0x80) != 0 ? [0x00, .. bytes] : bytes;
        return [0x02, (byte)minimal.Length, .. minimal];
    }
}
