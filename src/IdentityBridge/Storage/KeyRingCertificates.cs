using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdentityBridge.Configuration;

namespace IdentityBridge.Storage;

/// <summary>
/// The certificates of <c>Bridge:KeyRing</c>: the one whose RSA public key encrypts new entries of the data
/// protection key ring before they reach the database, and the previous ones kept to decrypt older entries.
/// Relative paths are relative to the content root. A file is PKCS#12 (.pfx, .p12) or PEM with the
/// certificate and its private key (encrypted PEM when a password is given).
/// </summary>
public sealed record KeyRingCertificates(X509Certificate2 Current, IReadOnlyList<X509Certificate2> Previous)
{
    /// <summary>The configured certificates, null when none is configured; throws when one cannot be used.</summary>
    public static KeyRingCertificates? Load(KeyRingOptions options, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath)) return null;
        var current = LoadOne(options.CertificatePath, options.CertificatePassword, contentRoot);
        var previous = options.PreviousCertificatePaths.Where(p => !string.IsNullOrWhiteSpace(p))
            .Select(p => LoadOne(p, options.CertificatePassword, contentRoot)).ToList();
        return new KeyRingCertificates(current, previous);
    }

    /// <summary>Like <see cref="Load"/>, but null when a certificate cannot be used (<see cref="Problem"/> says why).</summary>
    public static KeyRingCertificates? TryLoad(KeyRingOptions options, string contentRoot)
    {
        try
        {
            return Load(options, contentRoot);
        }
        catch (Exception ex) when (IsUnusable(ex))
        {
            return null;
        }
    }

    /// <summary>What is wrong with the configured certificates, in words for the operator; null when they can be used.</summary>
    public static string? Problem(KeyRingOptions options, string contentRoot)
    {
        try
        {
            Load(options, contentRoot);
            return null;
        }
        catch (Exception ex) when (IsUnusable(ex))
        {
            return ex.Message;
        }
    }

    private static bool IsUnusable(Exception ex) =>
        ex is KeyRingCertificateException or CryptographicException or IOException or UnauthorizedAccessException or ArgumentException;

    private static X509Certificate2 LoadOne(string path, string? password, string contentRoot)
    {
        var full = Path.GetFullPath(Path.Combine(contentRoot, path));
        if (!File.Exists(full)) throw new KeyRingCertificateException($"the certificate file '{full}' does not exist");
        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(full)
                ? string.IsNullOrEmpty(password) ? X509Certificate2.CreateFromPemFile(full) : X509Certificate2.CreateFromEncryptedPemFile(full, password)
                : X509CertificateLoader.LoadPkcs12FromFile(full, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException ex)
        {
            throw new KeyRingCertificateException($"'{full}' could not be read as a certificate with its private key ({ex.Message.TrimEnd('.')})");
        }
        using var rsa = certificate.GetRSAPrivateKey();
        if (rsa is null)
            throw new KeyRingCertificateException($"'{full}' holds no RSA private key (the key ring is encrypted with an RSA key)");
        return certificate;
    }

    private static bool IsPem(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[64];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return new string(buffer, 0, read).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
    }
}

/// <summary>A configured key ring certificate cannot be used.</summary>
public sealed class KeyRingCertificateException(string message) : Exception(message);
