using System.Text.Json;
using IdentityBridge.Federation.Payload;
using IdentityBridge.Tests.Xumm;
using IdentityBridge.Xumm;
using SignInBlob = XummSimulator.Internal.SignInBlob;
using WalletKey = XummSimulator.Internal.WalletKey;
using XummSimulator.Model;

namespace IdentityBridge.Tests.SignIn;

/// <summary>The rules a resolved payload must pass before it counts as a sign-in, one by one.</summary>
public sealed class PayloadChecksTests
{
    private const string ApiKey = "0c7a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b";
    private const string Uuid = "1d6c5a52-0f0e-4a6b-9a46-0c8f7b1a2e33";
    private const string RequestId = "req-1";
    private static readonly WalletKey Key = WalletKey.Create(SimulatedKeyType.Secp256k1);
    private static readonly string Wallet = Key.OwnAddress;

    /// <summary>A SignIn blob for <paramref name="account"/> signed with <paramref name="key"/>, as the app signs it.</summary>
    private static (string Hex, string TxId) Blob(string account, WalletKey? key = null, bool forge = false)
    {
        Assert.True(XrplAddress.TryDecode(account, out var accountId));
        return SignInBlob.Sign(key ?? Key, accountId, forge);
    }

    private static XummPayloadDetails WithBlob(XummPayloadDetails details, (string Hex, string TxId) blob) =>
        details with { Response = details.Response! with { Hex = blob.Hex, Txid = blob.TxId } };

    private static XummPayloadDetails Signed(Func<XummPayloadDetails, XummPayloadDetails>? change = null)
    {
        var (hex, txid) = Blob(Wallet);
        var details = new XummPayloadDetails
        {
            Meta = new XummPayloadMeta { Exists = true, Uuid = Uuid, Resolved = true, Signed = true },
            Application = new XummPayloadApplication { Uuidv4 = ApiKey, Name = "Bridge", IssuedUserToken = "token-1" },
            Payload = JsonDocument.Parse("""{"tx_type":"SignIn"}""").RootElement.Clone(),
            Response = new XummPayloadResponse { Account = Wallet, Hex = hex, Txid = txid, EnvironmentNodetype = "MAINNET", ResolvedAt = DateTimeOffset.UnixEpoch.AddYears(56) },
            CustomMeta = new XummCustomMeta { Identifier = RequestId },
        };
        return change is null ? details : change(details);
    }

    private static PayloadVerdict Check(XummPayloadDetails details, string? network = null, string? hinted = null,
        RegularKeySignatures regularKeys = RegularKeySignatures.Accept) =>
        PayloadChecks.Evaluate(details, new PayloadExpectations(ApiKey, Uuid, RequestId, network, hinted, regularKeys));

    [Fact]
    public void A_signed_payload_of_ours_passes_and_yields_wallet_network_and_user_token()
    {
        var verdict = Check(Signed(), network: "MAINNET", hinted: Wallet);
        Assert.Equal(PayloadOutcome.Signed, verdict.Outcome);
        Assert.Equal(Wallet, verdict.Wallet);
        Assert.Equal("MAINNET", verdict.Network);
        Assert.Equal("token-1", verdict.IssuedUserToken);
        Assert.Null(verdict.RegularKey);
    }

    [Fact]
    public void A_signature_by_another_key_than_the_wallets_own_passes_and_names_that_regular_key()
    {
        var regular = WalletKey.Create(SimulatedKeyType.Ed25519);

        var verdict = Check(WithBlob(Signed(), Blob(Wallet, regular)));

        Assert.Equal(PayloadOutcome.Signed, verdict.Outcome);
        Assert.Equal(Wallet, verdict.Wallet);
        Assert.Equal(regular.OwnAddress, verdict.RegularKey);
    }

    [Fact]
    public void A_signature_by_another_key_is_refused_when_regular_keys_are_refused_and_the_master_key_still_passes()
    {
        var regular = WalletKey.Create(SimulatedKeyType.Ed25519);

        var refused = Check(WithBlob(Signed(), Blob(Wallet, regular)), regularKeys: RegularKeySignatures.Refuse);
        var master = Check(Signed(), regularKeys: RegularKeySignatures.Refuse);

        Assert.Equal(PayloadOutcome.Refused, refused.Outcome);
        Assert.Equal(Wallet, refused.Wallet);
        Assert.Contains("regular key", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(PayloadOutcome.Signed, master.Outcome);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_signature_without_its_signed_blob_is_refused(string? hex)
    {
        var verdict = Check(Signed(d => d with { Response = d.Response! with { Hex = hex } }));
        Assert.Equal(PayloadOutcome.Refused, verdict.Outcome);
        Assert.Contains("blob is missing", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blob_whose_signature_fails_is_refused() =>
        Assert.Contains("signature does not verify", Check(WithBlob(Signed(), Blob(Wallet, forge: true))).Reason, StringComparison.Ordinal);

    [Fact]
    public void A_blob_with_another_transaction_id_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { Response = d.Response! with { Txid = Blob(Wallet).TxId } })).Outcome);

    [Fact]
    public void A_blob_signed_for_another_account_than_the_answer_names_is_refused()
    {
        var other = WalletKey.Create(SimulatedKeyType.Secp256k1);

        var verdict = Check(WithBlob(Signed(), Blob(other.OwnAddress, other)));

        Assert.Equal(PayloadOutcome.Refused, verdict.Outcome);
        Assert.Contains("another account", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signed_ledger_transaction_is_not_a_sign_in()
    {
        // A rippled-signed Ed25519 Payment (see XrplTransactionVerifierTests) for the account the answer names.
        const string Payment = "1200002280000000240000000961400000002114A0C0684000000002FAF0807321EDC5349AD8114DCDA07A355AA850FABE710CEE8FCBD891F1B919A6F6713C7BABA07440D67DE7CA3BECBBC941BD1ED5B8EAC77DC7E2FB8E6C64B58B570065E6C2B8B2323077131578A7D4E6F19B07B35E3E22E06CE1AA1DCE877F60F2EC324102F0E80381142FF9D2D54B6D7E744EF5DEC5A27D3471D6AB690A8314891A11D1ABD6C7010B29E60EF411F586690EC18E";

        var verdict = Check(Signed(d => d with { Response = d.Response! with { Account = "rn4gsh2qp8842mTA5HfwGT3L1XepQCpqiu", Hex = Payment, Txid = XrplTransactionVerifierTests.HashOf(Payment) } }));

        Assert.Equal(PayloadOutcome.Refused, verdict.Outcome);
        Assert.Contains("not a SignIn", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_applications_payload_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { Application = d.Application! with { Uuidv4 = "99999999-8888-4777-8666-555555555555" } })).Outcome);

    [Fact]
    public void A_payload_without_application_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { Application = null })).Outcome);

    [Fact]
    public void A_transaction_other_than_sign_in_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { Payload = JsonDocument.Parse("""{"tx_type":"Payment"}""").RootElement.Clone() })).Outcome);

    [Fact]
    public void Another_requests_identifier_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { CustomMeta = new XummCustomMeta { Identifier = "req-2" } })).Outcome);

    [Fact]
    public void An_answer_about_another_payload_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { Meta = d.Meta with { Uuid = "00000000-0000-4000-8000-000000000000" } })).Outcome);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("rNotAnAddress")]
    [InlineData("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTj")]
    public void A_signature_without_a_valid_r_address_is_refused(string? account) =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(d => d with { Response = d.Response! with { Account = account } })).Outcome);

    [Theory]
    [InlineData("TESTNET")]
    [InlineData(null)]
    public void A_signature_on_another_network_than_the_pinned_one_is_refused(string? signedOn)
    {
        var verdict = Check(Signed(d => d with { Response = d.Response! with { EnvironmentNodetype = signedOn } }), network: "MAINNET");
        Assert.Equal(PayloadOutcome.Refused, verdict.Outcome);
        Assert.Contains("MAINNET was required", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_pin_any_network_is_recorded() =>
        Assert.Equal("TESTNET", Check(Signed(d => d with { Response = d.Response! with { EnvironmentNodetype = "testnet" } })).Network);

    [Fact]
    public void A_signature_by_another_wallet_than_the_hinted_one_is_refused() =>
        Assert.Equal(PayloadOutcome.Refused, Check(Signed(), hinted: XrplAddress.CreateRandom()).Outcome);

    [Fact]
    public void Signed_without_resolved_is_not_a_signature() =>
        Assert.Equal(PayloadOutcome.Pending, Check(Signed(d => d with { Meta = d.Meta with { Resolved = false } })).Outcome);

    [Theory]
    [InlineData(true, false, false, PayloadOutcome.Rejected)]
    [InlineData(true, true, false, PayloadOutcome.Cancelled)]
    [InlineData(false, false, true, PayloadOutcome.Expired)]
    [InlineData(false, false, false, PayloadOutcome.Pending)]
    public void Unsigned_payloads_map_to_their_end(bool resolved, bool cancelled, bool expired, PayloadOutcome outcome) =>
        Assert.Equal(outcome, Check(Signed(d => d with { Meta = d.Meta with { Signed = false, Resolved = resolved, Cancelled = cancelled, Expired = expired } })).Outcome);

    [Theory]
    [InlineData("""{"signed":true,"payload_uuidv4":"x"}""", true)]
    [InlineData("""{"expired":true}""", true)]
    [InlineData("""{"expires_in_seconds":30}""", false)]
    [InlineData("""{"opened":true}""", false)]
    [InlineData("""{"message":"Welcome x"}""", false)]
    public void Websocket_messages_that_call_for_a_look(string message, bool cue) =>
        Assert.Equal(cue, PayloadFollower.IsCue(message));

    [Theory]
    [InlineData("PollInterval", "00:00:02", "at least 00:00:03")]
    [InlineData("PayloadExpiry", "00:01:30", "whole minutes")]
    [InlineData("WebhookTimestampWindow", "01:00:00", "WebhookTimestampWindow")]
    public void Options_are_validated_with_the_key_named(string key, string value, string message)
    {
        var options = new PayloadSignInOptions();
        typeof(PayloadSignInOptions).GetProperty(key)!.SetValue(options, TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        var result = new PayloadSignInOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Xumm:Payload:" + key, result.FailureMessage, StringComparison.Ordinal);
        Assert.False(new PayloadSignInOptionsValidator().Validate(null, new PayloadSignInOptions()).Failed);
    }
}
