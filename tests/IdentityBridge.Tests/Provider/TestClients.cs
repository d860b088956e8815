using System.Security.Cryptography;
using System.Text.Json;
using IdentityBridge.Clients;
using IdentityBridge.Operations;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

/// <summary>The clients the provider tests use, written straight into the database at startup.</summary>
public static class TestClients
{
    public const string Redirect = "https://app.example/cb";
    public const string PostLogout = "https://app.example/signed-out";
    public const string BackChannel = "https://app.example/backchannel";
    public const string Loopback = "http://127.0.0.1/cb";
    public const string Resource = "https://api.example";

    public const string Web = "web";
    public const string WebSecret = "web-secret";
    public const string Other = "other";
    /// <summary>Characters that need form-url-encoding in HTTP Basic (RFC 6749 §2.3.1).</summary>
    public const string OtherSecret = "o+t:h %r";
    public const string Post = "post";
    public const string PostSecret = "post-secret";
    public const string Spa = "spa";
    public const string SpaCc = "spa-cc";
    public const string NoPkce = "nopkce";
    public const string Consent = "third-party";
    public const string Es256 = "es256";
    public const string Pairwise = "pairwise";
    public const string Jwt = "jwt";
    public const string Mainnet = "mainnet-only";
    public const string Admin = "admin-console";

    public static readonly string[] AllScopes = ["openid", "profile", "email", "wallet", "roles", "offline_access"];

    /// <summary>The private key of the private_key_jwt client.</summary>
    public static readonly RSA JwtClientKey = RSA.Create(2048);

    public static string JwtClientJwks()
    {
        var p = JwtClientKey.ExportParameters(false);
        return JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", kid = "rp-key-1", use = "sig", alg = "RS256", n = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Modulus), e = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Exponent) } },
        });
    }

    public static IEnumerable<Client> All()
    {
        yield return Confidential(Web, WebSecret, c =>
        {
            c.PostLogoutRedirectUris = Json(PostLogout);
            c.BackChannelLogoutUri = BackChannel;
            c.AllowedGrantTypes = "authorization_code refresh_token client_credentials";
        });
        yield return Confidential(Other, OtherSecret, c => c.AllowedGrantTypes = "authorization_code refresh_token client_credentials");
        yield return Confidential(Post, PostSecret, c => c.TokenEndpointAuthMethod = "client_secret_post");
        yield return Public(Spa, c => c.RedirectUris = Json(Redirect, Loopback));
        yield return Public(SpaCc, c => c.AllowedGrantTypes = "authorization_code refresh_token client_credentials");
        yield return Confidential(NoPkce, "nopkce-secret", c => c.RequirePkce = false);
        yield return Confidential(Consent, "third-party-secret", c => c.RequireConsent = true);
        yield return Confidential(Es256, "es256-secret", c => c.IdTokenSigningAlg = "ES256");
        yield return Confidential(Pairwise, "pairwise-secret", c => c.SubjectType = "pairwise");
        yield return Confidential(Jwt, null, c =>
        {
            c.TokenEndpointAuthMethod = "private_key_jwt";
            c.JwksJson = JwtClientJwks();
            c.AllowedGrantTypes = "authorization_code refresh_token client_credentials";
        });
        yield return Confidential(Mainnet, "mainnet-secret", c => c.RequiredNetwork = "MAINNET");
        yield return Confidential(Admin, "admin-secret", c => c.AllowedScopes = "openid profile bridge.admin");
    }

    private static Client Confidential(string id, string? secret, Action<Client> configure)
    {
        var client = Base(id);
        client.ClientType = ClientTypes.Confidential;
        if (secret is not null)
            client.Secrets.Add(new ClientSecret { ClientId = id, Hash = ClientSecretHasher.Hash(secret), CreatedAt = DateTimeOffset.UnixEpoch });
        configure(client);
        return client;
    }

    private static Client Public(string id, Action<Client> configure)
    {
        var client = Base(id);
        client.ClientType = ClientTypes.Public;
        client.TokenEndpointAuthMethod = "none";
        configure(client);
        return client;
    }

    private static Client Base(string id) => new()
    {
        ClientId = id,
        ClientName = "App " + id,
        RedirectUris = Json(Redirect),
        PostLogoutRedirectUris = Json(PostLogout),
        AllowedScopes = string.Join(' ', AllScopes),
        AllowedGrantTypes = "authorization_code refresh_token",
    };

    private static string Json(params string[] values) => JsonSerializer.Serialize(values);

    /// <summary>Seeds the clients after the migrations ran (before the signing keys).</summary>
    public sealed class Seeder : IBridgeInitializer
    {
        public int Order => 50;

        public async Task InitializeAsync(IServiceProvider services, CancellationToken ct)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
            if (await db.Clients.AnyAsync(c => c.ClientId == Web, ct)) return;
            db.Clients.AddRange(All());
            await db.SaveChangesAsync(ct);
        }
    }
}
