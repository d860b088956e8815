using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IdentityBridge.Xumm;
using XummSimulator;
using XummSimulator.Model;

namespace IdentityBridge.Tests.Simulator;

/// <summary>The signed SignIn blob the simulator answers in <c>response.hex</c>, checked with the bridge's own verifier.</summary>
public sealed class SignInBlobTests
{
    [Fact]
    public async Task A_wallet_the_simulator_does_not_hold_signs_with_a_regular_key_it_keeps_for_that_address()
    {
        await using var host = await SimulatorHost.StartAsync();
        var first = await host.CreatePayloadAsync();
        var second = await host.CreatePayloadAsync();

        Assert.True(host.State.Approve(first, SimulatorHost.Wallet).Succeeded);
        Assert.True(host.State.Approve(second, SimulatorHost.Wallet).Succeeded);
        var one = await CheckAsync(host, first);
        var two = await CheckAsync(host, second);

        Assert.Equal(SimulatorHost.Wallet, one.Account);
        Assert.False(one.SignedWithMasterKey);
        Assert.Equal(XrplKeyType.Secp256k1, one.KeyType);
        Assert.Equal(one.SigningKeyAccount, two.SigningKeyAccount);
        Assert.NotEqual(one.Hash, two.Hash);
    }

    [Theory]
    [InlineData(SimulatedKeyType.Secp256k1, XrplKeyType.Secp256k1)]
    [InlineData(SimulatedKeyType.Ed25519, XrplKeyType.Ed25519)]
    public async Task A_wallet_the_simulator_created_signs_with_its_master_key(SimulatedKeyType type, XrplKeyType expected)
    {
        await using var host = await SimulatorHost.StartAsync();
        var wallet = host.State.CreateWallet(type);
        var uuid = await host.CreatePayloadAsync();

        Assert.True(host.State.Approve(uuid, wallet.Address).Succeeded);
        var signed = await CheckAsync(host, uuid);

        Assert.True(XrplAddress.IsValid(wallet.Address));
        Assert.Equal(wallet.Address, signed.Account);
        Assert.True(signed.SignedWithMasterKey);
        Assert.Equal(expected, signed.KeyType);
        Assert.Null(signed.TransactionType);
    }

    [Fact]
    public async Task The_control_api_creates_wallets_of_either_key_type()
    {
        await using var host = await SimulatorHost.StartAsync();

        using var created = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/wallets", new { keyType = "ed25519" });
        var body = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        using var wrong = await host.Client.PostAsJsonAsync($"{SimulatorHost.Prefix}/_sim/wallets", new { keyType = "rsa" });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("ed25519", body["keyType"]!.GetValue<string>());
        Assert.StartsWith("ED", body["publicKey"]!.GetValue<string>(), StringComparison.Ordinal);
        var uuid = await host.CreatePayloadAsync();
        Assert.True(host.State.Approve(uuid, body["account"]!.GetValue<string>()).Succeeded);
        Assert.True((await CheckAsync(host, uuid)).SignedWithMasterKey);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
    }

    [Fact]
    public async Task The_forged_sign_in_fault_answers_a_blob_whose_signature_fails()
    {
        await using var host = await SimulatorHost.StartAsync();
        host.State.UpdateFaults(f => f with { ForgedSignIn = true });
        var uuid = await host.CreatePayloadAsync();

        Assert.True(host.State.Approve(uuid, SimulatorHost.Wallet).Succeeded);
        var got = await host.PlatformJsonAsync(HttpMethod.Get, $"/payload/{uuid}");

        var check = XummSignInBlob.Verify(got["response"]!["hex"]!.GetValue<string>(), got["response"]!["txid"]!.GetValue<string>());
        Assert.Contains("signature does not verify", check.Failure, StringComparison.Ordinal);
    }

    private static async Task<XrplSignedTransaction> CheckAsync(SimulatorHost host, string uuid)
    {
        var got = await host.PlatformJsonAsync(HttpMethod.Get, $"/payload/{uuid}");
        var check = XummSignInBlob.Verify(got["response"]!["hex"]!.GetValue<string>(), got["response"]!["txid"]!.GetValue<string>());
        Assert.True(check.IsValid, check.Failure);
        return check.Transaction;
    }
}
