using System.Net;
using IdentityBridge.Tests.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Tests.SignIn;

/// <summary>xApp JWTs the token exchange refuses (RFC 8693 §2.2.2: invalid_request), on one host.</summary>
public sealed class XAppRefusalTests(SharedSignInHost shared) : IClassFixture<SharedSignInHost>
{
    public static TheoryData<string> BadTokens => ["tampered", "expired", "foreign app", "other secret", "none alg", "garbage"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Token_exchange_refuses_bad_xapp_jwts(string kind)
    {
        var host = shared.Host;
        var wallet = XrplAddress.CreateRandom();
        var accounts = await host.WithDbAsync(db => db.Accounts.CountAsync());
        var jwt = kind switch
        {
            "tampered" => XAppTests.Tamper(XAppTests.Jwt(host, wallet)),
            "expired" => XAppTests.Jwt(host, wallet, issuedAt: host.Clock.GetUtcNow() - TimeSpan.FromHours(25)),
            "foreign app" => XAppJwt.Create(new XAppJwtDescriptor { ApiKey = "99999999-8888-4777-8666-555555555555", Account = wallet, IssuedAt = host.Clock.GetUtcNow() }, BridgeFactory.XummApiSecret),
            "other secret" => XAppJwt.Create(new XAppJwtDescriptor { ApiKey = BridgeFactory.XummApiKey, Account = wallet, IssuedAt = host.Clock.GetUtcNow() }, "11111111-2222-4333-8444-555555555555"),
            "none alg" => XAppTests.Unsigned(XAppTests.Jwt(host, wallet)),
            _ => "garbage",
        };

        var answer = await XAppTests.ExchangeAsync(host, jwt);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("invalid_request", answer.Error);
        Assert.Equal(accounts, await host.WithDbAsync(db => db.Accounts.CountAsync()));
    }
}
