using System.Text.Json;
using IdentityBridge.Federation;
using IdentityBridge.RelyingParty;
using IdentityBridge.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.Tests.Federation;

/// <summary>The bridge's checks on what Xumm returned, one rule at a time.</summary>
public sealed class IdentityRulesTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi")] // checksum fails
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("3f5b1a4e-2c7d-4e8f-9a6b-1d2c3e4f5a6b+rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh@xumm.me")]
    [InlineData("XVLhHMPHU98es4dbozjVtdWzVrDjtV18pX8yuPT7y4xaEHi")] // an X-address is not a classic r-address
    public void A_subject_that_is_not_a_valid_r_address_is_an_invalid_identity(string? subject)
    {
        var failure = XummIdentityRules.CheckToken(subject, "MAINNET", pinnedNetwork: null);
        Assert.Equal(SignInFailureReason.InvalidIdentity, failure?.Reason);
        Assert.Equal("access_denied", failure!.OAuthError);
    }

    [Fact]
    public void A_valid_subject_passes_when_no_network_is_pinned()
    {
        Assert.Null(XummIdentityRules.CheckToken(BridgeFactory.DefaultWallet, "TESTNET", pinnedNetwork: null));
        Assert.Null(XummIdentityRules.CheckToken(BridgeFactory.DefaultWallet, null, pinnedNetwork: null));
    }

    [Fact]
    public void A_hinted_wallet_must_be_the_tokens_subject()
    {
        var failure = XummIdentityRules.CheckToken(BridgeFactory.DefaultWallet, "MAINNET", pinnedNetwork: null, hintedWallet: "rrrrrrrrrrrrrrrrrrrrrhoLvTp");

        Assert.Equal(SignInFailureReason.WrongWallet, failure?.Reason);
        Assert.Equal("wrong_wallet", failure!.Code);
        Assert.Equal("access_denied", failure.OAuthError);
        Assert.Null(XummIdentityRules.CheckToken(BridgeFactory.DefaultWallet, "MAINNET", pinnedNetwork: null, hintedWallet: BridgeFactory.DefaultWallet));
    }

    [Theory]
    [InlineData("MAINNET", "MAINNET", true)]
    [InlineData("mainnet", "MAINNET", true)]
    [InlineData("TESTNET", "MAINNET", false)]
    [InlineData("XAHAU", "MAINNET", false)]
    [InlineData(null, "MAINNET", false)]
    [InlineData("", "MAINNET", false)]
    public void A_pinned_network_must_be_the_tokens_network(string? networkType, string pinned, bool accepted)
    {
        var failure = XummIdentityRules.CheckToken(BridgeFactory.DefaultWallet, networkType, pinned);
        Assert.Equal(accepted, failure is null);
        if (!accepted) Assert.Equal(SignInFailureReason.WrongNetwork, failure!.Reason);
    }

    [Theory]
    [InlineData("""{"sub":"r","blocked":true}""", true)]
    [InlineData("""{"sub":"r","blocked":"true"}""", true)]
    [InlineData("""{"sub":"r","blocked":false}""", false)]
    [InlineData("""{"sub":"r"}""", false)]
    public void A_blocked_wallet_is_refused(string userInfo, bool refused)
    {
        using var document = JsonDocument.Parse(userInfo);
        var failure = XummIdentityRules.CheckUserInfo(document.RootElement);
        Assert.Equal(refused, failure?.Reason == SignInFailureReason.Blocked);
        if (refused) Assert.Contains("blocklist", failure!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_hints_take_kyc_name_and_picture_and_never_the_email()
    {
        using var document = JsonDocument.Parse("""
            {"sub":"rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh","email":"app+rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh@xumm.me",
             "kycApproved":true,"name":"  Alice ","picture":"https://xumm.app/avatar/rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh.png"}
            """);
        var profile = XummIdentityRules.ReadProfile(document.RootElement);
        Assert.Equal(new WalletProfileHints(true, "Alice", "https://xumm.app/avatar/rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh.png"), profile);
        Assert.DoesNotContain("xumm.me", profile.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"picture":"javascript:alert(1)","name":"a\u0007b"}""")]
    [InlineData("""{"picture":"/relative.png","name":""}""")]
    [InlineData("""{"picture":42,"name":null,"kycApproved":"no"}""")]
    public void Unusable_profile_hints_are_dropped(string userInfo)
    {
        using var document = JsonDocument.Parse(userInfo);
        Assert.Equal(new WalletProfileHints(false, null, null), XummIdentityRules.ReadProfile(document.RootElement));
    }

    [Theory]
    [InlineData(OidcClientErrors.AccessDenied, SignInFailureReason.Cancelled, "access_denied")]
    [InlineData(OidcClientErrors.InvalidState, SignInFailureReason.InvalidState, "access_denied")]
    [InlineData(OidcClientErrors.InvalidIdToken, SignInFailureReason.InvalidIdentity, "access_denied")]
    [InlineData(OidcClientErrors.TemporarilyUnavailable, SignInFailureReason.Unavailable, "temporarily_unavailable")]
    [InlineData("server_error", SignInFailureReason.Unavailable, "temporarily_unavailable")]
    [InlineData(OidcClientErrors.InvalidTokenResponse, SignInFailureReason.InvalidResponse, "temporarily_unavailable")]
    [InlineData(OidcClientErrors.InvalidUserInfo, SignInFailureReason.InvalidResponse, "temporarily_unavailable")]
    [InlineData("invalid_grant", SignInFailureReason.InvalidResponse, "temporarily_unavailable")]
    [InlineData("something_new", SignInFailureReason.InvalidResponse, "temporarily_unavailable")]
    public void Upstream_errors_map_to_a_reason_and_a_client_error(string error, SignInFailureReason reason, string oauthError)
    {
        var failure = SignInFailureClassifier.Classify(new OidcClientFailureException(error, "upstream text that must not travel"));
        Assert.Equal(reason, failure.Reason);
        Assert.Equal(oauthError, failure.OAuthError);
        Assert.DoesNotContain("upstream text", failure.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void No_reason_is_ever_a_server_error_and_every_code_reads_back()
    {
        foreach (var reason in Enum.GetValues<SignInFailureReason>())
        {
            var failure = SignInFailure.Of(reason);
            Assert.NotEqual("server_error", failure.OAuthError);
            Assert.True(SignInFailure.TryParseCode(failure.Code, out var parsed));
            Assert.Equal(reason, parsed);
            Assert.NotEqual(500, SignInFailureMessages.For(reason).StatusCode);
        }
        Assert.Equal(SignInFailureReason.InvalidResponse, SignInFailureClassifier.Classify(new InvalidOperationException()).Reason);
        Assert.Equal(SignInFailureReason.InvalidIdentity, SignInFailureClassifier.Classify(new AuthenticationFailureException("refused")).Reason);
    }

    [Theory]
    [InlineData("/account", true)]
    [InlineData("/connect/authorize?client_id=a&redirect_uri=https%3A%2F%2Fx%2Fcb", true)]
    [InlineData("/", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("/a\\b", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("account", false)]
    [InlineData("/a\r\nLocation: x", false)]
    [InlineData("/a b", false)]
    public void Return_urls_must_be_local_paths(string? url, bool local) => Assert.Equal(local, ReturnUrls.IsLocal(url));

    [Fact]
    public void Only_a_local_authorize_request_names_a_client()
    {
        Assert.Equal(new AuthorizeReturn("app", "rX"), ReturnUrls.ParseAuthorize("/connect/authorize?client_id=app&login_hint=rX", default));
        Assert.Equal(new AuthorizeReturn("app", null), ReturnUrls.ParseAuthorize("/base/connect/authorize?client_id=app", new PathString("/base")));
        Assert.Null(ReturnUrls.ParseAuthorize("/connect/authorize?client_id=app", new PathString("/base")));
        Assert.Null(ReturnUrls.ParseAuthorize("/account?client_id=app", default));
        Assert.Null(ReturnUrls.ParseAuthorize("//evil/connect/authorize?client_id=app", default));
        Assert.Equal(new AuthorizeReturn(null, null), ReturnUrls.ParseAuthorize("/connect/authorize?client_id=a&client_id=b", default));
    }
}
