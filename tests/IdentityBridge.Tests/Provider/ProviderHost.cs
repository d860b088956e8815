using System.Collections.Concurrent;
using IdentityBridge.Accounts;
using IdentityBridge.Audit;
using IdentityBridge.Configuration;
using IdentityBridge.Operations;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Provider.Tokens;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.Provider;

/// <summary>
/// The bridge with the provider test clients, a test-only sign-in (<c>/test/signin</c>, standing in for
/// the login pages), a test hook for <see cref="AuthorizeErrorResponder"/> (<c>/test/fail</c>) and a
/// captured back-channel logout HTTP client.
/// </summary>
public class ProviderHost : BridgeFactory
{
    public ProviderHost() : this(null, importTestKeys: true) { }

    /// <summary>
    /// A node on the database of <paramref name="connectionString"/> (null: a database of its own), signing
    /// with the shared test keys or with keys it generates.
    /// </summary>
    protected ProviderHost(string? connectionString, bool importTestKeys)
    {
        if (connectionString is not null) Settings["Bridge:Database:ConnectionString"] = connectionString;
        Settings["Bridge:Resources:0:Uri"] = TestClients.Resource;
        Settings["Bridge:Keys:ImportPath"] = importTestKeys ? TestSigningKeys.Folder : "";
        ConfigureTestServices = services =>
        {
            services.AddSingleton<IStartupFilter>(new TestEndpoints());
            services.AddSingleton<IBridgeInitializer, TestClients.Seeder>();
            services.AddHttpClient(BackChannelLogoutNotifier.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => BackChannel);
            MoreServices?.Invoke(services);
        };
    }

    /// <summary>The database this node uses (for a second node on the same one).</summary>
    public string DatabaseConnectionString => Settings["Bridge:Database:ConnectionString"]!;

    public Action<IServiceCollection>? MoreServices { get; set; }

    public BackChannelCapture BackChannel { get; } = new();

    public async Task WithDbAsync(Func<BridgeDbContext, Task> action)
    {
        // Audit events are stored by a background writer: flush so the query sees every event recorded so far.
        await Services.GetRequiredService<AuditLog>().FlushAsync();
        await using var scope = Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<BridgeDbContext>());
    }

    public async Task<T> WithDbAsync<T>(Func<BridgeDbContext, Task<T>> action)
    {
        await Services.GetRequiredService<AuditLog>().FlushAsync();
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<BridgeDbContext>());
    }

    /// <summary>
    /// Every audit event stored while <paramref name="action"/> ran, in order (WithDbAsync flushes the writer first,
    /// so the events of the action are all stored; tests of a class run one at a time).
    /// </summary>
    public async Task<List<AuditEvent>> AuditEventsDuringAsync(Func<Task> action)
    {
        var before = await WithDbAsync(db => db.AuditEvents.Select(e => (long?)e.Id).MaxAsync()) ?? 0;
        await action();
        return await WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Id > before).OrderBy(e => e.Id).ToListAsync());
    }

    /// <summary>
    /// A refresh token bound to <paramref name="session"/> (no offline_access), of the web client, as a CIBA sign-in
    /// issues one: it ends with the session.
    /// </summary>
    public async Task<string> SessionBoundRefreshTokenAsync(string accountId, Session session)
    {
        await using var scope = Services.CreateAsyncScope();
        var client = await scope.ServiceProvider.GetRequiredService<ClientStore>().FindAsync(TestClients.Web);
        var issued = await scope.ServiceProvider.GetRequiredService<TokenIssuer>().IssueAsync(new TokenIssueRequest
        {
            Client = client!,
            GrantType = "urn:openid:params:grant-type:ciba",
            AccountId = accountId,
            Scopes = ["openid", "profile"],
            Login = LoginFacts.FromSession(session),
            IssueRefreshToken = true,
        });
        return issued.Response!.RefreshToken!;
    }

    public Task DisableAccountAsync(string accountId) => WithDbAsync(db =>
        db.Accounts.Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AccountStatus.Disabled)));

    public Task<string> AccountIdOfAsync(string wallet) => WithDbAsync(db => db.Wallets.Where(w => w.Address == wallet).Select(w => w.AccountId).FirstAsync());

    /// <summary>Changes a client row and drops it from the client cache.</summary>
    public async Task UpdateClientAsync(string clientId, Action<Client> change)
    {
        await WithDbAsync(async db =>
        {
            var client = await db.Clients.FirstAsync(c => c.ClientId == clientId);
            change(client);
            await db.SaveChangesAsync();
        });
        Services.GetRequiredService<ClientStore>().Invalidate(clientId);
    }

    private sealed class TestEndpoints : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            // Plain middleware, not Map: a mapped branch would move the session cookie's path under it.
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path == "/test/signin") await SignInAsync(context);
                else if (context.Request.Path == "/test/fail") await FailAsync(context);
                else await nextMiddleware(context);
            });
            next(app);
        };

        private static async Task SignInAsync(HttpContext context)
        {
            var q = context.Request.Query;
            var wallet = q["wallet"].ToString();
            var network = q["network"].ToString() is { Length: > 0 } n ? n : "MAINNET";
            var accounts = context.RequestServices.GetRequiredService<AccountService>();
            var result = await accounts.SignInAsync(new WalletSignIn(wallet, network), ProvisioningMode.AutoCreate);
            if (result.Outcome != WalletSignInOutcome.Ok)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            var acr = q["acr"].ToString() is { Length: > 0 } a ? a : null;
            await context.RequestServices.GetRequiredService<SessionService>()
                .SignInAsync(context, new SessionSignIn(result.Account!.Id, wallet, network, "xumm-oidc", acr));
            context.Response.Redirect(q["returnUrl"].ToString());
        }

        private static async Task FailAsync(HttpContext context)
        {
            var responder = context.RequestServices.GetRequiredService<AuthorizeErrorResponder>();
            var result = await responder.FailAsync(context, context.Request.Query["returnUrl"], "access_denied", "The user cancelled.");
            await result.ExecuteAsync(context);
        }
    }
}

/// <summary>Captures back-channel logout POSTs instead of sending them.</summary>
public sealed class BackChannelCapture : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(Uri Uri, string Body)> Requests { get; } = new();

    /// <summary>
    /// The answers of particular back-channel URIs (by default 200 with no body); an answer that throws stands for a
    /// failure to reach the client.
    /// </summary>
    public ConcurrentDictionary<string, Func<CancellationToken, Task<HttpResponseMessage>>> Responses { get; } = new(StringComparer.Ordinal);

    /// <summary>The first captured POST whose body matches, waiting for it up to <paramref name="timeout"/> (no sleeping: woken by each arrival).</summary>
    public async Task<(Uri Uri, string Body)> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task arrived;
            lock (_gate) arrived = _arrived.Task;
            foreach (var request in Requests)
                if (match(request.Body)) return request;
            await arrived.WaitAsync(cts.Token);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue((request.RequestUri!, body));
        TaskCompletionSource arrived;
        lock (_gate)
        {
            arrived = _arrived;
            _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        arrived.SetResult();
        return Responses.TryGetValue(request.RequestUri!.ToString(), out var respond)
            ? await respond(cancellationToken)
            : new HttpResponseMessage(System.Net.HttpStatusCode.OK);
    }
}
