using System.Net;
using System.Security.Cryptography;
using IdentityBridge.Provider.Keys;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.Tests.Provider;

public sealed class SigningKeyTests
{
    /// <summary>A node with a short key schedule: rotate every 10 days, announce 1 day ahead, keep 1 day after.</summary>
    private sealed class KeyHost : ProviderHost
    {
        public KeyHost(string? importPath = null) : base(null, importTestKeys: false)
        {
            Settings["Bridge:Keys:RotationInterval"] = "10.00:00:00";
            Settings["Bridge:Keys:PropagationTime"] = "1.00:00:00";
            Settings["Bridge:Keys:RetentionTime"] = "1.00:00:00";
            if (importPath is not null) Settings["Bridge:Keys:ImportPath"] = importPath;
        }

        public SigningKeyStore Keys => Services.GetRequiredService<SigningKeyStore>();

        public async Task<string> SignerKidAsync()
        {
            var driver = new OidcDriver(this);
            var json = await OidcDriver.Json(await driver.TokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, TestClients.Web, TestClients.WebSecret), HttpStatusCode.OK);
            return OidcDriver.Jwt(json.GetProperty("access_token").GetString()!).Kid;
        }

        public async Task<string[]> JwksKidsAsync() =>
            new JsonWebKeySet(await CreateApiClient().GetStringAsync("/.well-known/jwks.json")).Keys.Select(k => k.Kid).ToArray();
    }

    [Fact]
    public async Task A_new_key_is_announced_before_it_signs_and_the_old_one_is_kept_for_the_retention_time()
    {
        await using var host = new KeyHost();
        var first = await host.SignerKidAsync();
        var initial = await host.JwksKidsAsync();

        host.Clock.Advance(TimeSpan.FromDays(9) + TimeSpan.FromHours(1));
        await host.Keys.MaintainAsync();
        var announced = (await host.JwksKidsAsync()).Except(initial).ToList();
        Assert.Equal(2, announced.Count); // the RS256 and ES256 successors
        Assert.Contains(first, await host.JwksKidsAsync());
        Assert.Equal(first, await host.SignerKidAsync());

        host.Clock.Advance(TimeSpan.FromDays(1));
        var second = await host.SignerKidAsync();
        Assert.NotEqual(first, second);
        Assert.Contains(second, announced);
        Assert.Contains(first, await host.JwksKidsAsync());

        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.Keys.MaintainAsync();
        Assert.DoesNotContain(first, await host.JwksKidsAsync());
        Assert.Contains(second, await host.JwksKidsAsync());
        var list = await host.Keys.ListAsync();
        Assert.Equal("expired", list.Single(k => k.Kid == first).Status);
        Assert.True(list.Single(k => k.Kid == second).Signing);
    }

    [Fact]
    public async Task A_key_prepared_ahead_becomes_the_next_created_RS256_key_and_is_dropped_when_none_is_needed()
    {
        await using var host = new KeyHost();
        var first = await host.SignerKidAsync();
        Assert.Null(host.Keys.PreparedFirstKey); // the start-up's prepared key was used

        host.Keys.PrepareFirstKey();
        var unused = await host.Keys.PreparedFirstKey!;
        await host.Keys.MaintainAsync();
        Assert.Null(host.Keys.PreparedFirstKey);
        Assert.DoesNotContain(unused.KeyId, (await host.Keys.ListAsync()).Select(k => k.Kid));

        host.Keys.PrepareFirstKey();
        var prepared = await host.Keys.PreparedFirstKey!;
        Assert.True(await host.Keys.RetireAsync(first));
        await host.Keys.MaintainAsync();
        Assert.Equal(prepared.KeyId, await host.SignerKidAsync());
        Assert.Null(host.Keys.PreparedFirstKey);
    }

    [Fact]
    public async Task Rotate_now_and_retire_change_the_signer_and_keep_the_old_key_published()
    {
        await using var host = new KeyHost();
        var first = await host.SignerKidAsync();

        var scheduled = await host.Keys.RotateNowAsync("RS256");
        Assert.Equal("announced", scheduled.Status);
        Assert.Equal(first, await host.SignerKidAsync());
        Assert.Contains(scheduled.Kid, await host.JwksKidsAsync());

        var immediate = await host.Keys.RotateNowAsync("RS256", immediate: true);
        Assert.Equal(immediate.Kid, await host.SignerKidAsync());
        Assert.Contains(first, await host.JwksKidsAsync());
        Assert.DoesNotContain(scheduled.Kid, await host.JwksKidsAsync());

        Assert.True(await host.Keys.RetireAsync(immediate.Kid));
        var replacement = await host.SignerKidAsync();
        Assert.NotEqual(immediate.Kid, replacement);
        Assert.Contains(immediate.Kid, await host.JwksKidsAsync());
        Assert.False(await host.Keys.RetireAsync("no-such-kid"));
    }

    [Fact]
    public async Task A_successor_retired_before_it_signs_leaves_jwks_and_never_signs()
    {
        await using var host = new KeyHost();
        var first = await host.SignerKidAsync();
        host.Clock.Advance(TimeSpan.FromDays(9) + TimeSpan.FromHours(1));
        await host.Keys.MaintainAsync();
        var successor = (await host.Keys.ListAsync()).Single(k => k.Algorithm == "RS256" && k.Status == "announced");

        host.Clock.Advance(TimeSpan.FromHours(11));
        Assert.True(await host.Keys.RetireAsync(successor.Kid));
        // It never signed, so no token carries its kid: nothing is left to verify with it.
        Assert.DoesNotContain(successor.Kid, await host.JwksKidsAsync());

        // Past the time it was to take over, before any maintenance run: the retired key does not sign.
        host.Clock.Advance(successor.ActivatesAt - host.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        var signer = await host.SignerKidAsync();
        Assert.NotEqual(successor.Kid, signer);
        Assert.Equal(first, signer);
        Assert.DoesNotContain(successor.Kid, await host.JwksKidsAsync());
    }

    [Fact]
    public async Task A_successor_retired_before_it_signs_is_replaced_by_another_announced_ahead()
    {
        await using var host = new KeyHost();
        var first = await host.SignerKidAsync();
        host.Clock.Advance(TimeSpan.FromDays(9) + TimeSpan.FromHours(1));
        await host.Keys.MaintainAsync();
        var successor = (await host.Keys.ListAsync()).Single(k => k.Algorithm == "RS256" && k.Status == "announced").Kid;

        host.Clock.Advance(TimeSpan.FromHours(11));
        Assert.True(await host.Keys.RetireAsync(successor));
        await host.Keys.MaintainAsync();
        var replacement = (await host.Keys.ListAsync()).Single(k => k.Algorithm == "RS256" && k.Status == "announced");
        Assert.NotEqual(successor, replacement.Kid);
        Assert.Contains(replacement.Kid, await host.JwksKidsAsync());
        // Announced a full propagation time ahead; the current key signs until then.
        Assert.Equal((host.Clock.GetUtcNow() + TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), replacement.ActivatesAt.ToUnixTimeMilliseconds());
        Assert.Equal(first, await host.SignerKidAsync());

        host.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(replacement.Kid, await host.SignerKidAsync());
    }

    [Fact]
    public async Task Pem_keys_in_the_import_folder_are_imported_once_and_sign()
    {
        var folder = Path.Combine(Path.GetTempPath(), "identitybridge-keys-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using var rsa = RSA.Create(2048);
            using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            await File.WriteAllTextAsync(Path.Combine(folder, "rsa.pem"), rsa.ExportRSAPrivateKeyPem());
            await File.WriteAllTextAsync(Path.Combine(folder, "ec.key"), ec.ExportECPrivateKeyPem());
            await File.WriteAllTextAsync(Path.Combine(folder, "readme.txt"), "not a key");
            // A certificate with its key (such as a key ring certificate) is not a signing key to import.
            using var certificateKey = RSA.Create(3072);
            using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=key ring", certificateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllTextAsync(Path.Combine(folder, "keyring.pem"), certificate.ExportCertificatePem() + "\n" + certificateKey.ExportPkcs8PrivateKeyPem());
            var rsaKid = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false))).ComputeJwkThumbprint());
            var ecKid = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false)))).ComputeJwkThumbprint());

            await using var host = new KeyHost(folder);
            Assert.Equal(rsaKid, await host.SignerKidAsync());
            var kids = await host.JwksKidsAsync();
            Assert.Contains(rsaKid, kids);
            Assert.Contains(ecKid, kids);
            Assert.Equal(2, kids.Length);
            var listed = await host.Keys.ListAsync();
            Assert.All(listed, k => Assert.Equal("imported", k.Source));

            var (again, problem) = await host.Keys.ImportPemAsync(rsa.ExportPkcs8PrivateKeyPem());
            Assert.Null(problem);
            Assert.Equal(rsaKid, again!.Kid);
            Assert.Equal(2, (await host.Keys.ListAsync()).Count);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Pem_reader_accepts_pkcs8_pkcs1_and_sec1_and_refuses_weak_or_encrypted_keys()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal("RS256", SigningKeyMaterial.FromPem(rsa.ExportPkcs8PrivateKeyPem(), out _)!.Algorithm);
        Assert.Equal("RS256", SigningKeyMaterial.FromPem(rsa.ExportRSAPrivateKeyPem(), out _)!.Algorithm);
        Assert.Equal("ES256", SigningKeyMaterial.FromPem(ec.ExportPkcs8PrivateKeyPem(), out _)!.Algorithm);
        Assert.Equal("ES256", SigningKeyMaterial.FromPem(ec.ExportECPrivateKeyPem(), out _)!.Algorithm);

        using var small = RSA.Create(1024);
        Assert.Null(SigningKeyMaterial.FromPem(small.ExportPkcs8PrivateKeyPem(), out var tooSmall));
        Assert.Contains("2048", tooSmall);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Null(SigningKeyMaterial.FromPem(p384.ExportECPrivateKeyPem(), out var curve));
        Assert.Contains("P-256", curve);
        var encrypted = rsa.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        Assert.Null(SigningKeyMaterial.FromPem(encrypted, out var encryptedProblem));
        Assert.Contains("encrypted", encryptedProblem);
        Assert.Null(SigningKeyMaterial.FromPem("garbage", out _));
    }
}
