using System.Net;
using IdentityBridge.Admin.Services;
using IdentityBridge.Clients;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.SignIn;

/// <summary>CIBA authentication requests the bridge refuses before anything reaches the wallet (one host for all).</summary>
public sealed class CibaRefusalTests(SharedSignInHost shared) : IClassFixture<SharedSignInHost>
{
    public static TheoryData<string, string, string?> Invalid => new()
    {
        { "no binding message", "invalid_binding_message", null },
        { "long binding message", "invalid_binding_message", null },
        { "line separator in binding message", "invalid_binding_message", null },
        { "bidi override in binding message", "invalid_binding_message", null },
        { "zero width space in binding message", "invalid_binding_message", null },
        { "no openid", "invalid_scope", null },
        { "scope not allowed", "invalid_scope", null },
        { "no hint", "invalid_request", null },
        { "two hints", "invalid_request", null },
        { "login_hint_token", "invalid_request", null },
        { "unknown wallet", "unknown_user_id", null },
        { "unknown account", "unknown_user_id", null },
        { "bad expiry", "invalid_request", null },
        { "ping without token", "invalid_request", SignInHost.CibaPingClient },
        { "ping token with a quote", "invalid_request", SignInHost.CibaPingClient },
        { "ping token with a comma", "invalid_request", SignInHost.CibaPingClient },
        { "ping token with inner padding", "invalid_request", SignInHost.CibaPingClient },
        { "client without the grant", "unauthorized_client", SignInHost.WebClient },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Invalid_requests_are_refused_with_the_ciba_error(string @case, string error, string? clientId)
    {
        var host = shared.Host;
        var wallet = shared.Wallet;
        var form = new Dictionary<string, string> { ["login_hint"] = wallet };
        var scope = "openid profile";
        switch (@case)
        {
            case "no binding message": form["binding_message"] = ""; break;
            case "long binding message": form["binding_message"] = new string('x', 65); break;
            case "line separator in binding message": form["binding_message"] = "Approve\u2028Bank transfer 4711"; break;
            case "bidi override in binding message": form["binding_message"] = "Approve \u202E1174 nigol"; break;
            case "zero width space in binding message": form["binding_message"] = "Approve\u200B login"; break;
            case "no openid": scope = "profile"; break;
            case "scope not allowed": scope = "openid email"; break;
            case "no hint": form.Remove("login_hint"); break;
            case "two hints": form["id_token_hint"] = "eyJ.x.y"; break;
            case "login_hint_token": form.Remove("login_hint"); form["login_hint_token"] = "x"; break;
            case "unknown wallet": form["login_hint"] = XrplAddress.CreateRandom(); break;
            case "unknown account": form["login_hint"] = "no-such-account"; break;
            case "bad expiry": form["requested_expiry"] = "soon"; break;
            case "ping token with a quote": form["client_notification_token"] = "tok\"en"; break;
            case "ping token with a comma": form["client_notification_token"] = "tok,realm=x"; break;
            case "ping token with inner padding": form["client_notification_token"] = "tok=en"; break;
        }
        form.TryAdd("scope", scope);
        var payloadsBefore = host.Simulator.Payloads().Count;

        var answer = await CibaTests.RequestAsync(host.CreateApiClient(), clientId ?? SignInHost.CibaPollClient, form,
            secret: clientId == SignInHost.WebClient ? SignInHost.WebSecret : SignInHost.CibaSecret);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(error, answer.Error);
        Assert.Equal(payloadsBefore, host.Simulator.Payloads().Count);
    }

    [Fact]
    public async Task A_binding_message_with_accents_and_emoji_is_plain_text_and_accepted()
    {
        var host = shared.Host;
        const string binding = "Zürich café \u2713 4711 \U0001F44D";

        var answer = await CibaTests.RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient,
            new() { ["login_hint"] = shared.Wallet, ["binding_message"] = binding });

        Assert.True(answer.Status == HttpStatusCode.OK, $"{answer.Status} {answer.Json}");
        Assert.EndsWith(": " + binding, host.Simulator.Payloads().Last().Draft.CustomInstruction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allow_list_client_cannot_authenticate_an_account_that_a_sign_in_created()
    {
        var host = shared.Host;
        const string clientId = "ciba-closed";
        await host.WithScopeAsync(async services =>
        {
            var db = services.GetRequiredService<BridgeDbContext>();
            var client = new Client
            {
                ClientId = clientId,
                ClientName = "App " + clientId,
                ClientType = ClientTypes.Confidential,
                AllowedScopes = "openid profile",
                AllowedGrantTypes = "urn:openid:params:grant-type:ciba",
                BackchannelTokenDeliveryMode = "poll",
                Provisioning = "AllowList",
                CreatedAt = DateTimeOffset.UnixEpoch,
                UpdatedAt = DateTimeOffset.UnixEpoch,
            };
            client.Secrets.Add(new ClientSecret { ClientId = clientId, Hash = ClientSecretHasher.Hash(SignInHost.CibaSecret), CreatedAt = DateTimeOffset.UnixEpoch });
            db.Clients.Add(client);
            await db.SaveChangesAsync();
        });
        var payloadsBefore = host.Simulator.Payloads().Count;

        var refused = await CibaTests.RequestAsync(host.CreateApiClient(), clientId, new() { ["login_hint"] = shared.Wallet });
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("access_denied", refused.Error);
        Assert.Equal(payloadsBefore, host.Simulator.Payloads().Count);

        // Once an administrator enrols the account (links its wallet), the push goes out.
        await host.WithScopeAsync(async services =>
        {
            var accountId = await services.GetRequiredService<BridgeDbContext>().Wallets.Where(w => w.Address == shared.Wallet).Select(w => w.AccountId).FirstAsync();
            Assert.True((await services.GetRequiredService<AccountAdminService>().LinkWalletAsync(accountId, shared.Wallet, null, "cli")).Ok);
        });
        var admitted = await CibaTests.RequestAsync(host.CreateApiClient(), clientId, new() { ["login_hint"] = shared.Wallet });
        Assert.Equal(HttpStatusCode.OK, admitted.Status);
    }

    [Fact]
    public async Task A_disabled_account_is_403_access_denied_by_wallet_and_by_account_id()
    {
        var host = shared.Host;
        var wallet = XrplAddress.CreateRandom();
        var accountId = (await host.SignInByQrAsync(host.CreateBrowser(), wallet)).AccountId!;
        await host.WithScopeAsync(services => services.GetRequiredService<BridgeDbContext>().Accounts
            .Where(a => a.Id == accountId).ExecuteUpdateAsync(u => u.SetProperty(a => a.Status, AccountStatus.Disabled)));
        var payloadsBefore = host.Simulator.Payloads().Count;

        foreach (var hint in new[] { wallet, accountId })
        {
            var refused = await CibaTests.RequestAsync(host.CreateApiClient(), SignInHost.CibaPollClient, new() { ["login_hint"] = hint });
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal("access_denied", refused.Error);
        }
        Assert.Equal(payloadsBefore, host.Simulator.Payloads().Count);
    }
}
