using System.Net;
using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.SignIn;

/// <summary>CIBA authentication requests the bridge refuses before anything reaches the wallet (one host for all).</summary>
public sealed class CibaRefusalTests(SharedSignInHost shared) : IClassFixture<SharedSignInHost>
{
    public static TheoryData<string, string, string?> Invalid => new()
    {
        { "no binding message", "invalid_binding_message", null },
        { "long binding message", "invalid_binding_message", null },
        { "no openid", "invalid_scope", null },
        { "scope not allowed", "invalid_scope", null },
        { "no hint", "invalid_request", null },
        { "two hints", "invalid_request", null },
        { "login_hint_token", "invalid_request", null },
        { "unknown wallet", "unknown_user_id", null },
        { "unknown account", "unknown_user_id", null },
        { "bad expiry", "invalid_request", null },
        { "ping without token", "invalid_request", SignInHost.CibaPingClient },
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
            case "no openid": scope = "profile"; break;
            case "scope not allowed": scope = "openid email"; break;
            case "no hint": form.Remove("login_hint"); break;
            case "two hints": form["id_token_hint"] = "eyJ.x.y"; break;
            case "login_hint_token": form.Remove("login_hint"); form["login_hint_token"] = "x"; break;
            case "unknown wallet": form["login_hint"] = XrplAddress.CreateRandom(); break;
            case "unknown account": form["login_hint"] = "no-such-account"; break;
            case "bad expiry": form["requested_expiry"] = "soon"; break;
        }
        form.TryAdd("scope", scope);
        var payloadsBefore = host.Simulator.Payloads().Count;

        var answer = await CibaTests.RequestAsync(host.CreateApiClient(), clientId ?? SignInHost.CibaPollClient, form,
            secret: clientId == SignInHost.WebClient ? SignInHost.WebSecret : SignInHost.CibaSecret);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(error, answer.Error);
        Assert.Equal(payloadsBefore, host.Simulator.Payloads().Count);
    }
}
