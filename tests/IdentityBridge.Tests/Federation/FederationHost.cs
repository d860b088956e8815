using System.Net;
using IdentityBridge.Audit;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using XummSimulator;

namespace IdentityBridge.Tests.Federation;

/// <summary>One hop of a login: the URL requested and what came back.</summary>
public sealed record Hop(Uri Url, HttpStatusCode Status, Uri? Location, string Body)
{
    public IDictionary<string, Microsoft.Extensions.Primitives.StringValues> Query => QueryHelpers.ParseQuery(Url.Query);
    public IDictionary<string, Microsoft.Extensions.Primitives.StringValues> LocationQuery => QueryHelpers.ParseQuery(Location?.Query ?? "");
}

/// <summary>
/// The bridge with the in-process simulator (auto-approving <see cref="BridgeFactory.DefaultWallet"/> on
/// MAINNET), plus helpers: follow a login hop by hop, register clients, read the database and the audit trail.
/// </summary>
public class FederationHost : BridgeFactory
{
    public const string ClientRedirectUri = "https://client.example/cb";

    public XummSimulatorState Simulator => Services.GetRequiredService<XummSimulatorState>();

    /// <summary>GETs <paramref name="url"/> and follows redirects on this host until an answer that is not one, or another host.</summary>
    public static async Task<List<Hop>> FollowAsync(HttpClient browser, string url, int maxHops = 10)
    {
        var hops = new List<Hop>();
        var next = new Uri(new Uri(Issuer), url);
        for (var i = 0; i < maxHops; i++)
        {
            var hop = await GetAsync(browser, next);
            hops.Add(hop);
            if (hop.Location is null || hop.Location.Host != next.Host) return hops;
            next = hop.Location;
        }
        throw new InvalidOperationException("Too many redirects: " + string.Join(" -> ", hops.Select(h => h.Url)));
    }

    /// <summary>Follows from <paramref name="url"/> until the next hop would be <paramref name="path"/>; returns that URL unvisited.</summary>
    public static async Task<Uri> FollowUntilAsync(HttpClient browser, string url, string path)
    {
        var next = new Uri(new Uri(Issuer), url);
        for (var i = 0; i < 10; i++)
        {
            if (next.AbsolutePath == path) return next;
            var hop = await GetAsync(browser, next);
            next = hop.Location ?? throw new InvalidOperationException($"{hop.Url} answered {(int)hop.Status} before reaching {path}:\n{hop.Body}");
        }
        throw new InvalidOperationException("Too many redirects.");
    }

    public static async Task<Hop> GetAsync(HttpClient browser, Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await browser.SendAsync(request);
        var location = response.Headers.Location is { } l ? new Uri(url, l) : null;
        return new Hop(url, response.StatusCode, location, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A login started the way the authorize endpoint starts it, for <paramref name="returnUrl"/>.</summary>
    public static string LoginUrl(string returnUrl = "/account", string? loginHint = null) =>
        "/login?returnUrl=" + Uri.EscapeDataString(returnUrl) + (loginHint is null ? "" : "&login_hint=" + Uri.EscapeDataString(loginHint));

    /// <summary>A local authorize request of <paramref name="clientId"/>, as the authorize endpoint hands it to /login.</summary>
    public static string AuthorizeReturnUrl(string clientId, string state = "client-state-1", string? loginHint = null) =>
        QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = ClientRedirectUri,
            ["response_type"] = "code",
            ["scope"] = "openid",
            ["state"] = state,
            ["nonce"] = "client-nonce-1",
            ["code_challenge"] = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ["code_challenge_method"] = "S256",
            ["login_hint"] = loginHint,
        });

    public async Task AddClientAsync(string clientId, string? requiredNetwork = null, string? provisioning = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BridgeDbContext>();
        var now = Clock.GetUtcNow();
        db.Clients.Add(new Client
        {
            ClientId = clientId,
            ClientName = "Test client " + clientId,
            ClientType = ClientTypes.Public,
            TokenEndpointAuthMethod = "none",
            RedirectUris = $"[\"{ClientRedirectUri}\"]",
            AllowedScopes = "openid profile",
            RequiredNetwork = requiredNetwork,
            Provisioning = provisioning,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
    }

    public async Task<T> WithDbAsync<T>(Func<BridgeDbContext, Task<T>> read)
    {
        await using var scope = Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<BridgeDbContext>());
    }

    public async Task<List<AuditEvent>> AuditAsync(string type)
    {
        await Services.GetRequiredService<AuditLog>().FlushAsync();
        return await WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Type == type).OrderBy(e => e.Id).ToListAsync());
    }

    public Task<List<Session>> SessionsAsync() => WithDbAsync(db => db.Sessions.AsNoTracking().ToListAsync());

    /// <summary>
    /// Asserts that a login that came from a client ended with <paramref name="error"/> for that client. With the
    /// provider's AuthorizeErrorResponder this is a redirect to the client's redirect URI carrying error and state;
    /// the placeholder responder before it renders a page with the description instead.
    /// </summary>
    public static void AssertClientError(Hop last, string error, string descriptionFragment, string state = "client-state-1")
    {
        if (last.Location is { } location && location.GetLeftPart(UriPartial.Path) == ClientRedirectUri)
        {
            Assert.Equal(error, last.LocationQuery["error"].ToString());
            Assert.Equal(state, last.LocationQuery["state"].ToString());
            Assert.Contains(descriptionFragment, last.LocationQuery["error_description"].ToString(), StringComparison.Ordinal);
            return;
        }
        Assert.Null(last.Location);
        Assert.Equal(HttpStatusCode.BadRequest, last.Status);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(descriptionFragment), last.Body, StringComparison.Ordinal);
    }
}
