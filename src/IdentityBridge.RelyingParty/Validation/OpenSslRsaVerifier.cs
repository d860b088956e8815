using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.RelyingParty.Validation;

/// <summary>
/// RSASSA-PKCS1-v1_5 signature checks (RS256, RS384, RS512) made directly with OpenSSL 3's libcrypto, keeping
/// initialised verify contexts per key and reusing them across calls.
/// <para>
/// .NET's <see cref="RSA.VerifyData(byte[], byte[], HashAlgorithmName, RSASignaturePadding)"/> over OpenSSL
/// creates, initialises and frees an <c>EVP_PKEY_CTX</c> for every signature; under OpenSSL 3 that set-up
/// (provider look-ups, parameter setting) costs about a fifth of an RSA-2048 verification. An upstream
/// provider's keys change rarely and every ID token of a login is checked against them, so the contexts are
/// worth keeping.
/// </para>
/// <para>
/// The path is used only where it is known to work: Linux with <c>libcrypto.so.3</c> loadable, RSA keys of
/// at least <see cref="MinimumModulusBits"/> bits. Everything else (other platforms, other algorithms, key
/// material that cannot be read) returns <c>null</c> and the caller uses IdentityModel's signature
/// providers. The first signature checked with each key is checked by both paths; if they ever disagree,
/// the direct path is switched off for the process.
/// </para>
/// </summary>
internal static class OpenSslRsaVerifier
{
    /// <summary>The smallest RSA modulus this path accepts, as IdentityModel does for verification.</summary>
    public const int MinimumModulusBits = 1024;

    private static readonly ConditionalWeakTable<SecurityKey, KeyEntry> Keys = new();
    private static readonly Lazy<bool> Loaded = new(Probe);
    private static volatile bool disabled;

    /// <summary>Whether the direct path can run on this platform (and has not been switched off).</summary>
    public static bool IsAvailable => !disabled && Loaded.Value;

    /// <summary>For tests: switches the direct path off (or back on) for the process.</summary>
    internal static bool Disabled
    {
        get => disabled;
        set => disabled = value;
    }

    /// <summary>
    /// Checks a JWS signature over <paramref name="signed"/> with <paramref name="key"/>. Returns
    /// <c>null</c> when this path does not handle the key or algorithm, and the caller must decide.
    /// <paramref name="crossCheck"/> is set when the caller must also check the signature its own way and
    /// report the agreement with <see cref="CompleteCrossCheck"/> (the first signature of each key).
    /// </summary>
    public static bool? TryVerify(SecurityKey key, string algorithm, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature, out bool crossCheck)
    {
        crossCheck = false;
        var digest = DigestOf(algorithm);
        if (digest is null || !IsAvailable) return null;

        var entry = Keys.GetValue(key, static k => KeyEntry.Create(k));
        if (entry.Key is not { } native) return null;

        crossCheck = !entry.CrossChecked;
        return native.Verify(digest.Value, signed, signature);
    }

    /// <summary>
    /// Records whether the platform's own check agreed with this path for the key. A libcrypto that behaves
    /// differently from what this code expects turns the direct path off rather than deciding alone.
    /// Returns false when they disagreed.
    /// </summary>
    public static bool CompleteCrossCheck(SecurityKey key, bool agreed)
    {
        if (!agreed)
        {
            disabled = true;
            return false;
        }

        if (Keys.TryGetValue(key, out var entry)) entry.CrossChecked = true;
        return true;
    }

    /// <summary>For tests: whether signatures made with this key are now decided by this path alone.</summary>
    internal static bool DecidesAlone(SecurityKey key) =>
        IsAvailable && Keys.TryGetValue(key, out var entry) && entry.Key is not null && entry.CrossChecked;

    private static Digest? DigestOf(string algorithm) => algorithm switch
    {
        SecurityAlgorithms.RsaSha256 => Digest.Sha256,
        SecurityAlgorithms.RsaSha384 => Digest.Sha384,
        SecurityAlgorithms.RsaSha512 => Digest.Sha512,
        _ => null,
    };

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // Resolves the library and the entry points used later; OpenSSL 1.1 has no such soname and
            // defines the padding and digest setters as macros, so it is never used here.
            return (ulong)Native.OpenSSL_version_num() >= 0x30000000UL
                && Native.EVP_sha256() != IntPtr.Zero
                && Native.EVP_sha384() != IntPtr.Zero
                && Native.EVP_sha512() != IntPtr.Zero
                && Native.ProbeEntryPoints();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    internal enum Digest
    {
        Sha256,
        Sha384,
        Sha512,
    }

    private sealed class KeyEntry
    {
        public NativeRsaKey? Key { get; private init; }

        public bool CrossChecked { get; set; }

        public static KeyEntry Create(SecurityKey key) => new() { Key = NativeRsaKey.TryCreate(key) };
    }

    /// <summary>
    /// One RSA public key for libcrypto, with a pool of verify contexts per digest. Each context is made from a
    /// copy of the key of its own: libcrypto takes the key's read lock on every public-key operation (to reach its
    /// cached Montgomery form), and threads sharing one key would all write to that lock's memory. The contexts
    /// are safe handles, freed by their own finalisers once the <see cref="SecurityKey"/> this was made from is
    /// collected (the provider's metadata moved on).
    /// </summary>
    private sealed class NativeRsaKey
    {
        private readonly byte[] spki;
        private readonly int modulusBytes;
        private readonly ConcurrentBag<EvpPkeyContextHandle>[] contexts = [new(), new(), new()];

        private NativeRsaKey(byte[] spki, int modulusBytes)
        {
            this.spki = spki;
            this.modulusBytes = modulusBytes;
        }

        public static NativeRsaKey? TryCreate(SecurityKey key)
        {
            RSAParameters parameters;
            try
            {
                if (ReadPublicParameters(key) is not { } read) return null;
                parameters = read;
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
            {
                return null;
            }

            if (parameters.Modulus is not { Length: > 0 } modulus || parameters.Exponent is not { Length: > 0 }) return null;
            var significant = modulus.AsSpan().TrimStart((byte)0).Length;
            if (significant * 8 < MinimumModulusBits) return null;

            byte[] spki;
            try
            {
                using var rsa = RSA.Create(parameters);
                spki = rsa.ExportSubjectPublicKeyInfo();
            }
            catch (CryptographicException)
            {
                return null;
            }

            // Loaded once here to learn whether libcrypto takes the key at all; each verify context gets a key
            // of its own (below).
            using var probe = Load(spki);
            return probe is null ? null : new NativeRsaKey(spki, significant);
        }

        /// <summary>The key parsed by libcrypto from its SubjectPublicKeyInfo, or null when it refuses it.</summary>
        private static EvpPkeyHandle? Load(byte[] spki)
        {
            var buffer = Marshal.AllocHGlobal(spki.Length);
            try
            {
                Marshal.Copy(spki, 0, buffer, spki.Length);
                var cursor = buffer;
                var pkey = Native.d2i_PUBKEY(IntPtr.Zero, ref cursor, spki.Length);
                if (!pkey.IsInvalid) return pkey;
                pkey.Dispose();
                Native.ERR_clear_error();
                return null;
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }

        private static RSAParameters? ReadPublicParameters(SecurityKey key) => key switch
        {
            RsaSecurityKey { Rsa: { } rsa } => rsa.ExportParameters(false),
            RsaSecurityKey rsaKey => new RSAParameters { Modulus = rsaKey.Parameters.Modulus, Exponent = rsaKey.Parameters.Exponent },
            X509SecurityKey { PublicKey: RSA rsa } => rsa.ExportParameters(false),
            // A JWK that also carries a certificate chain is left to IdentityModel, which may prefer the
            // certificate's key: both paths must always mean the same key.
            JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA, X5c.Count: 0 } jwk when !string.IsNullOrEmpty(jwk.N) && !string.IsNullOrEmpty(jwk.E) =>
                new RSAParameters { Modulus = Base64UrlEncoder.DecodeBytes(jwk.N), Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) },
            _ => null,
        };

        public bool Verify(Digest digest, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
        {
            // A PKCS#1 v1.5 signature is exactly as long as the modulus; anything else is refused before
            // libcrypto sees it.
            if (signature.Length != modulusBytes) return false;

            Span<byte> hash = stackalloc byte[64];
            var hashLength = digest switch
            {
                Digest.Sha256 => SHA256.HashData(signed, hash),
                Digest.Sha384 => SHA384.HashData(signed, hash),
                _ => SHA512.HashData(signed, hash),
            };

            var pool = contexts[(int)digest];
            if (!pool.TryTake(out var context))
            {
                context = CreateContext(digest);
                if (context is null) return false;
            }

            var verified = Native.EVP_PKEY_verify(
                context,
                ref MemoryMarshal.GetReference(signature),
                (nuint)signature.Length,
                ref MemoryMarshal.GetReference(hash),
                (nuint)hashLength);
            if (verified != 1) Native.ERR_clear_error();
            pool.Add(context);
            return verified == 1;
        }

        private EvpPkeyContextHandle? CreateContext(Digest digest)
        {
            using var own = Load(spki);
            if (own is null) return null;
            var context = Native.EVP_PKEY_CTX_new(own, IntPtr.Zero);
            if (context.IsInvalid)
            {
                context.Dispose();
                Native.ERR_clear_error();
                return null;
            }

            var md = digest switch
            {
                Digest.Sha256 => Native.EVP_sha256(),
                Digest.Sha384 => Native.EVP_sha384(),
                _ => Native.EVP_sha512(),
            };
            if (Native.EVP_PKEY_verify_init(context) != 1
                || Native.EVP_PKEY_CTX_set_rsa_padding(context, Native.RsaPkcs1Padding) <= 0
                || Native.EVP_PKEY_CTX_set_signature_md(context, md) <= 0)
            {
                Native.ERR_clear_error();
                context.Dispose();
                return null;
            }

            return context;
        }
    }

    private sealed class EvpPkeyHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            Native.EVP_PKEY_free(handle);
            return true;
        }
    }

    private sealed class EvpPkeyContextHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            Native.EVP_PKEY_CTX_free(handle);
            return true;
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "SYSLIB1054", Justification = "Blittable signatures only; no marshalling code to generate.")]
    private static class Native
    {
        private const string Library = "libcrypto.so.3";
        public const int RsaPkcs1Padding = 1;

        [DllImport(Library)]
        public static extern nuint OpenSSL_version_num();

        [DllImport(Library)]
        public static extern IntPtr EVP_sha256();

        [DllImport(Library)]
        public static extern IntPtr EVP_sha384();

        [DllImport(Library)]
        public static extern IntPtr EVP_sha512();

        [DllImport(Library)]
        public static extern EvpPkeyHandle d2i_PUBKEY(IntPtr a, ref IntPtr pp, nint length);

        [DllImport(Library)]
        public static extern void EVP_PKEY_free(IntPtr pkey);

        [DllImport(Library)]
        public static extern EvpPkeyContextHandle EVP_PKEY_CTX_new(EvpPkeyHandle pkey, IntPtr engine);

        [DllImport(Library)]
        public static extern void EVP_PKEY_CTX_free(IntPtr context);

        [DllImport(Library)]
        public static extern int EVP_PKEY_verify_init(EvpPkeyContextHandle context);

        [DllImport(Library)]
        public static extern int EVP_PKEY_CTX_set_rsa_padding(EvpPkeyContextHandle context, int padding);

        [DllImport(Library)]
        public static extern int EVP_PKEY_CTX_set_signature_md(EvpPkeyContextHandle context, IntPtr md);

        [DllImport(Library)]
        public static extern int EVP_PKEY_verify(EvpPkeyContextHandle context, ref byte signature, nuint signatureLength, ref byte digest, nuint digestLength);

        [DllImport(Library)]
        public static extern void ERR_clear_error();

        /// <summary>Binds every entry point now, so a missing one shows at the probe and not mid-validation.</summary>
        public static bool ProbeEntryPoints()
        {
            ERR_clear_error();
            EVP_PKEY_free(IntPtr.Zero);
            EVP_PKEY_CTX_free(IntPtr.Zero);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(d2i_PUBKEY))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(EVP_PKEY_CTX_new))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(EVP_PKEY_verify_init))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(EVP_PKEY_CTX_set_rsa_padding))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(EVP_PKEY_CTX_set_signature_md))!);
            Marshal.Prelink(typeof(Native).GetMethod(nameof(EVP_PKEY_verify))!);
            return true;
        }
    }
}
