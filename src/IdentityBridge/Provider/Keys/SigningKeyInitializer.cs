using IdentityBridge.Configuration;
using IdentityBridge.Operations;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Keys;

/// <summary>
/// At startup: imports the PEM private keys found in Bridge:Keys:ImportPath (each file once; a key
/// already stored is skipped), then creates the first keys and loads them.
/// </summary>
internal sealed class SigningKeyInitializer : IBridgeInitializer
{
    public int Order => 100;

    public async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
    {
        var store = services.GetRequiredService<SigningKeyStore>();
        var logger = services.GetRequiredService<ILogger<SigningKeyInitializer>>();
        var environment = services.GetRequiredService<IHostEnvironment>();
        var options = services.GetRequiredService<IOptions<BridgeOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.KeyRing.CertificatePath) && !environment.IsDevelopment())
            logger.LogWarning("Bridge:KeyRing:CertificatePath is not set: the data protection key ring, which encrypts the signing keys, " +
                "is stored unencrypted in the database, so a copy of the database reveals the signing keys");
        var folder = options.Keys.ImportPath;
        if (!string.IsNullOrWhiteSpace(folder))
        {
            var path = Path.GetFullPath(Path.Combine(environment.ContentRootPath, folder));
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path).Where(IsKeyFile).Order(StringComparer.Ordinal))
                {
                    var pem = await File.ReadAllTextAsync(file, ct);
                    if (!pem.Contains("PRIVATE KEY", StringComparison.Ordinal)) continue;
                    if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
                    {
                        // A certificate with its key is a TLS or key ring certificate: its key must not sign tokens.
                        logger.LogWarning("Signing key file {File} was not imported: it holds a certificate; a signing key to import is a private key alone", Path.GetFileName(file));
                        continue;
                    }
                    var (key, problem) = await store.ImportPemAsync(pem, ct);
                    if (key is null)
                        logger.LogWarning("Signing key file {File} was not imported: {Problem}", Path.GetFileName(file), problem);
                    else
                        logger.LogInformation("Signing key file {File}: {Algorithm} key {Kid}", Path.GetFileName(file), key.Algorithm, key.Kid);
                }
            }
        }
        await store.MaintainAsync(ct);
    }

    private static bool IsKeyFile(string file) =>
        Path.GetExtension(file).ToLowerInvariant() is ".pem" or ".key";
}
