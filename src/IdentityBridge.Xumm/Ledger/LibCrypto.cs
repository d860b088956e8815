using System.Runtime.InteropServices;

namespace IdentityBridge.Xumm;

/// <summary>
/// The two primitives an XRPL signature check needs that .NET does not offer, taken from OpenSSL 3's libcrypto:
/// Ed25519 verification (<c>EVP_PKEY_new_raw_public_key</c> + <c>EVP_DigestVerify</c>) and RIPEMD-160
/// (<c>EVP_Q_digest</c>, in the default provider since OpenSSL 3.0.7). Where libcrypto 3 cannot be loaded the
/// checks report themselves unavailable and the caller refuses: a signature that cannot be checked is not believed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "SYSLIB1054", Justification = "Blittable arguments, except the ASCII digest name, which the default string marshalling passes as a C string.")]
internal static class LibCrypto
{
    private const string Library = "libcrypto.so.3";
    private const int Ed25519KeyType = 1087;   // EVP_PKEY_ED25519 (NID_ED25519)
    private static readonly Lazy<bool> Loaded = new(Probe);

    /// <summary>Whether libcrypto 3 is loaded and offers both primitives.</summary>
    public static bool IsAvailable => Loaded.Value;

    /// <summary>RIPEMD-160 of <paramref name="data"/>, or null when libcrypto cannot compute it.</summary>
    public static byte[]? Ripemd160(ReadOnlySpan<byte> data) => IsAvailable && !data.IsEmpty ? Digest160(data) : null;

    /// <summary>Checks a 64-byte Ed25519 signature over <paramref name="message"/> (the whole message, not a hash).</summary>
    public static bool VerifyEd25519(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (!IsAvailable || publicKey.Length != 32 || signature.Length != 64 || message.IsEmpty) return false;
        var key = Native.EVP_PKEY_new_raw_public_key(Ed25519KeyType, IntPtr.Zero, ref MemoryMarshal.GetReference(publicKey), (nuint)publicKey.Length);
        if (key == IntPtr.Zero)
        {
            Native.ERR_clear_error();
            return false;
        }

        var context = Native.EVP_MD_CTX_new();
        try
        {
            if (context == IntPtr.Zero || Native.EVP_DigestVerifyInit(context, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, key) != 1) return false;
            return Native.EVP_DigestVerify(context, ref MemoryMarshal.GetReference(signature), (nuint)signature.Length,
                ref MemoryMarshal.GetReference(message), (nuint)message.Length) == 1;
        }
        finally
        {
            Native.ERR_clear_error();
            Native.EVP_MD_CTX_free(context);
            Native.EVP_PKEY_free(key);
        }
    }

    private static byte[]? Digest160(ReadOnlySpan<byte> data)
    {
        var digest = new byte[20];
        var ok = Native.EVP_Q_digest(IntPtr.Zero, "RIPEMD160", IntPtr.Zero, ref MemoryMarshal.GetReference(data), (nuint)data.Length,
            ref digest[0], out var written) == 1 && written == 20;
        if (!ok) Native.ERR_clear_error();
        return ok ? digest : null;
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if ((ulong)Native.OpenSSL_version_num() < 0x30000000UL) return false;
            Marshal.Prelink(typeof(Native).GetMethod(nameof(Native.EVP_PKEY_new_raw_public_key))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(Native.EVP_DigestVerifyInit))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(Native.EVP_DigestVerify))!);
            Native.EVP_MD_CTX_free(IntPtr.Zero);
            Native.EVP_PKEY_free(IntPtr.Zero);
            Native.ERR_clear_error();
            // RIPEMD-160 lived only in the legacy provider before OpenSSL 3.0.7: ask for it once, on a known answer.
            return Digest160("abc"u8) is { } abc && Convert.ToHexStringLower(abc) == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    private static class Native
    {
        [DllImport(Library)]
        public static extern nuint OpenSSL_version_num();

        [DllImport(Library)]
        public static extern IntPtr EVP_PKEY_new_raw_public_key(int type, IntPtr engine, ref byte key, nuint keyLength);

        [DllImport(Library)]
        public static extern void EVP_PKEY_free(IntPtr key);

        [DllImport(Library)]
        public static extern IntPtr EVP_MD_CTX_new();

        [DllImport(Library)]
        public static extern void EVP_MD_CTX_free(IntPtr context);

        [DllImport(Library)]
        public static extern int EVP_DigestVerifyInit(IntPtr context, IntPtr keyContext, IntPtr digest, IntPtr engine, IntPtr key);

        [DllImport(Library)]
        public static extern int EVP_DigestVerify(IntPtr context, ref byte signature, nuint signatureLength, ref byte message, nuint messageLength);

        [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        public static extern int EVP_Q_digest(IntPtr libraryContext, string name, IntPtr properties, ref byte data, nuint dataLength, ref byte digest, out nuint digestLength);

        [DllImport(Library)]
        public static extern void ERR_clear_error();
    }
}
