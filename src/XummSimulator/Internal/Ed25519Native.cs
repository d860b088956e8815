using System.Runtime.InteropServices;

namespace XummSimulator.Internal;

/// <summary>
/// Ed25519 signing and RIPEMD-160 from OpenSSL 3's libcrypto, which .NET does not offer. The simulator needs them to
/// sign SignIn blobs with Ed25519 keys and to derive the address of a key it creates.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "SYSLIB1054", Justification = "Blittable signatures only; no marshalling code to generate.")]
internal static class Ed25519Native
{
    private const string Library = "libcrypto.so.3";
    private const int Ed25519KeyType = 1087;   // EVP_PKEY_ED25519

    /// <summary>The 32-byte public key of a 32-byte Ed25519 private key.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        var key = Load(privateKey);
        try
        {
            var publicKey = new byte[32];
            nuint length = 32;
            Check(Native.EVP_PKEY_get_raw_public_key(key, ref publicKey[0], ref length) == 1 && length == 32);
            return publicKey;
        }
        finally
        {
            Native.EVP_PKEY_free(key);
        }
    }

    /// <summary>The 64-byte Ed25519 signature of <paramref name="message"/> (the message itself, not a hash).</summary>
    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message)
    {
        var key = Load(privateKey);
        var context = Native.EVP_MD_CTX_new();
        try
        {
            var signature = new byte[64];
            nuint length = 64;
            Check(context != IntPtr.Zero
                && Native.EVP_DigestSignInit(context, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, key) == 1
                && Native.EVP_DigestSign(context, ref signature[0], ref length, ref MemoryMarshal.GetReference(message), (nuint)message.Length) == 1
                && length == 64);
            return signature;
        }
        finally
        {
            Native.EVP_MD_CTX_free(context);
            Native.EVP_PKEY_free(key);
        }
    }

    /// <summary>RIPEMD-160 (default provider of OpenSSL 3.0.7 and later).</summary>
    public static byte[] Ripemd160(ReadOnlySpan<byte> data)
    {
        var digest = new byte[20];
        Check(Native.EVP_Q_digest(IntPtr.Zero, "RIPEMD160", IntPtr.Zero, ref MemoryMarshal.GetReference(data), (nuint)data.Length, ref digest[0], out var length) == 1
            && length == 20);
        return digest;
    }

    private static IntPtr Load(ReadOnlySpan<byte> privateKey)
    {
        var key = Native.EVP_PKEY_new_raw_private_key(Ed25519KeyType, IntPtr.Zero, ref MemoryMarshal.GetReference(privateKey), (nuint)privateKey.Length);
        Check(key != IntPtr.Zero);
        return key;
    }

    private static void Check(bool ok)
    {
        if (ok) return;
        Native.ERR_clear_error();
        throw new InvalidOperationException("libcrypto refused an Ed25519 or RIPEMD-160 operation.");
    }

    private static class Native
    {
        [DllImport(Library)]
        public static extern IntPtr EVP_PKEY_new_raw_private_key(int type, IntPtr engine, ref byte key, nuint keyLength);

        [DllImport(Library)]
        public static extern int EVP_PKEY_get_raw_public_key(IntPtr key, ref byte publicKey, ref nuint length);

        [DllImport(Library)]
        public static extern void EVP_PKEY_free(IntPtr key);

        [DllImport(Library)]
        public static extern IntPtr EVP_MD_CTX_new();

        [DllImport(Library)]
        public static extern void EVP_MD_CTX_free(IntPtr context);

        [DllImport(Library)]
        public static extern int EVP_DigestSignInit(IntPtr context, IntPtr keyContext, IntPtr digest, IntPtr engine, IntPtr key);

        [DllImport(Library)]
        public static extern int EVP_DigestSign(IntPtr context, ref byte signature, ref nuint signatureLength, ref byte message, nuint messageLength);

        [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int EVP_Q_digest(IntPtr libraryContext, string name, IntPtr properties, ref byte data, nuint dataLength, ref byte digest, out nuint digestLength);

        [DllImport(Library)]
        public static extern void ERR_clear_error();
    }
}
