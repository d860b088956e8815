using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using IdentityBridge.Xumm;
using Ed25519Native = XummSimulator.Internal.Ed25519Native;
using WalletKey = XummSimulator.Internal.WalletKey;
using XummSimulator.Model;

namespace IdentityBridge.Tests.Xumm;

/// <summary>
/// Known answers from other XRPL implementations' public test fixtures: blobs signed by xrpl.js and by rippled,
/// with the hash and account those projects expect. None of them comes from this code base.
/// </summary>
public sealed class XrplTransactionVerifierTests
{
    /// <summary>xrpl.js packages/xrpl/test/wallet/index.test.ts, "sign with lowercase hex data in memo": secp256k1, Payment with Memos.</summary>
    private const string MemoPayment = "120000228000000023000022B8240000000C2E0000270F201B00D5A36761400000000098968068400000000000000C73210305E09ED602D40AB1AF65646A4007C2DAC17CB6CDACDE301E74FB2D728EA057CF744730450221009C00E8439E017CA622A5A1EE7643E26B4DE9C808DE2ABE45D33479D49A4CEC66022062175BE8733442FA2A4D9A35F85A57D58252AE7B19A66401FE238B36FA28E5A081146C1856D0E36019EA75C56D7E8CBA6E35F9B3F71583147FB49CD110A1C46838788CD12764E3B0F837E0DDF9EA7C1F687474703A2F2F6578616D706C652E636F6D2F6D656D6F2F67656E657269637D0472656E74E1F1";
    private const string MemoPaymentHash = "41B9CB78D8E18A796CDD4B0BC6FB0EA19F64C4F25FDE23049197852CAB71D10D";
    private const string MemoPaymentAccount = "rwiZ3q3D3QuG4Ga2HyGdq3kPKJRGctVG8a";

    /// <summary>Same file, "sign allows lowercase hex value for NFTokenMint.URI": secp256k1, Account = the wallet's own address.</summary>
    private const string NfTokenMint = "12001914013A2200000008202A0000000068400000000000000A732102A8A44DB3D4C73EEEE11DFE54D2029103B776AA8A8D293A91D645977C9DF5F5447446304402203795B6E9D6D0086FB26E2C6B7A8C02D50B8560D45C9D5C80DF271D3349515E5302203B0898A7D8C06243D7C2116D2011ACB68DF3123BB7336D6C27269FD388C12CC07542697066733A2F2F62616679626569676479727A74357366703775646D37687537367568377932366E6634646675796C71616266336F636C67747179353566627A64698114B3263BD0A9BF9DFDBBBBD07F536355FF477BF0E9F9EA7C1F687474703A2F2F6578616D706C652E636F6D2F6D656D6F2F67656E657269637D0472656E74E1F1";
    private const string NfTokenMintHash = "2F359B3CFD1CE6D7BFB672F8ADCE98FE964B1FD04CFC337177FB3D8FBE889788";
    private const string WalletAccountId = "B3263BD0A9BF9DFDBBBBD07F536355FF477BF0E9";

    /// <summary>
    /// Same file, "sign with a Payment transaction with paths": issued-currency amounts and a path set, signed by the
    /// same wallet for Account r9cZA1mLK5R5Am25ArfXFmqgNwjZgnfk59, which is not that key's own address.
    /// </summary>
    private const string PathPayment = "12000022800200002400000001201B00EF81E661EC6386F26FC0FFFF0000000000000000000000005553440000000000054F6F784A58F9EFB0A9EB90B83464F9D166461968400000000000000C6940000000000000646AD3504529A0465E2E0000000000000000000000005553440000000000054F6F784A58F9EFB0A9EB90B83464F9D1664619732102A8A44DB3D4C73EEEE11DFE54D2029103B776AA8A8D293A91D645977C9DF5F54474463044022049AD75980A5088EBCD768547E06427736BD8C4396B9BD3762CA8C1341BD7A4F9022060C94071C3BDF99FAB4BEB7C0578D6EBEE083157B470699645CCE4738A41D61081145E7B112523F68D2F5E879DB4EAC51C6698A693048314CA6EDC7A28252DAEA6F2045B24F4D7C333E146170112300000000000000000000000005553440000000000054F6F784A58F9EFB0A9EB90B83464F9D166461900";
    private const string PathPaymentHash = "71D0B4AA13277B32E2C2E751566BB0106764881B0CAA049905A0EDAC73257745";
    private const string PathPaymentAccount = "r9cZA1mLK5R5Am25ArfXFmqgNwjZgnfk59";

    /// <summary>
    /// odenzo/ripple-local-signing src/test/scala/.../crypto/ED25519CryptoBCTest.scala: an Ed25519 Payment signed by
    /// rippled, for the account rippled's wallet_propose gave that key (rn4gsh2...).
    /// </summary>
    private const string Ed25519Payment = "1200002280000000240000000961400000002114A0C0684000000002FAF0807321EDC5349AD8114DCDA07A355AA850FABE710CEE8FCBD891F1B919A6F6713C7BABA07440D67DE7CA3BECBBC941BD1ED5B8EAC77DC7E2FB8E6C64B58B570065E6C2B8B2323077131578A7D4E6F19B07B35E3E22E06CE1AA1DCE877F60F2EC324102F0E80381142FF9D2D54B6D7E744EF5DEC5A27D3471D6AB690A8314891A11D1ABD6C7010B29E60EF411F586690EC18E";
    private const string Ed25519PaymentHash = "2EFB6703751A981BEBF0274088C13FF01BEBEEDE7A758274715839ADB5645510";
    private const string Ed25519Account = "rn4gsh2qp8842mTA5HfwGT3L1XepQCpqiu";

    /// <summary>Same project, src/test/resources/test/myTestData/keysAndTxn/ed25519_txn.json, first rippled sign response.</summary>
    private const string Ed25519Payment2 = "1200002280000000240000000161400000002114A0C0684000000002FAF0807321EDC5349AD8114DCDA07A355AA850FABE710CEE8FCBD891F1B919A6F6713C7BABA074401469964CFD9A724E69F1A64C313CD00567E9F8CFC7F330B59409749B4723E64C474BAE23D368E015616AC40CD0B1338F285617CFB0D6A434394C7DE4F4204F0E81142FF9D2D54B6D7E744EF5DEC5A27D3471D6AB690A83144194890464CAE2CB826CDBA5D938349184E385A0";
    private const string Ed25519Payment2Hash = "1F51CBBAF7F23E6463BC4EF612D9995BDC13B965E2A6F0D3CE7D70C0DDD1F01B";

    /// <summary>
    /// marcus-gomes-v/wallet-signature-verify tests/xaman_integration_tests.rs: a SignIn signed in Xaman (secp256k1):
    /// no TransactionType, SigningPubKey, TxnSignature, Account and a Memo, as the app writes it.
    /// </summary>
    private const string XamanSignIn = "732102ACE0AE76CC7DA925442A417FA3618811B5043A66566C9909503D22A96514B2B87446304402207E22A82A87D5FCBFBD63BA78E078DFF6708923F90F96696C978B7C00FF4C71870220547C1C18010E8EA93E0D9D187DF4D93480C43CF19D54A49E69E12ED49CCE17D28114717251C1BFE144D8E3577777E6D04E1101E87336F9EA7C04417574687D636578616D706C652E636F6D3A313736303037393239303A35376530363130322D633063382D346366382D626539372D3533306332353135613535643A73796E6B3A72424C694A6A6E4768517238743144555358576676634E577858356D506956535755E1F1";
    private const string XamanSignInAccount = "rBLiJjnGhQr8t1DUSXWfvcNWxX5mPiVSWU";

    /// <summary>xrpl.js test/wallet/index.test.ts: the Ed25519 public key of its known secret.</summary>
    private const string OtherEd25519Key = "ED8079E575450E256C496578480020A33E19B579D58A2DB8FF13FC6B05B9229DE3";

    public static TheoryData<string, string, string, XrplKeyType, int, bool> KnownAnswers => new()
    {
        { MemoPayment, MemoPaymentHash, MemoPaymentAccount, XrplKeyType.Secp256k1, 0, true },
        { NfTokenMint, NfTokenMintHash, XrplAddress.Encode(Convert.FromHexString(WalletAccountId)), XrplKeyType.Secp256k1, 25, true },
        { PathPayment, PathPaymentHash, PathPaymentAccount, XrplKeyType.Secp256k1, 0, false },
        { Ed25519Payment, Ed25519PaymentHash, Ed25519Account, XrplKeyType.Ed25519, 0, true },
        { Ed25519Payment2, Ed25519Payment2Hash, Ed25519Account, XrplKeyType.Ed25519, 0, true },
    };

    [Theory]
    [MemberData(nameof(KnownAnswers))]
    public void Blobs_signed_elsewhere_verify_with_their_hash_account_and_signing_key(
        string blob, string hash, string account, XrplKeyType keyType, int transactionType, bool masterKey)
    {
        var check = XrplTransactionVerifier.Verify(blob, hash.ToLowerInvariant());

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(account, check.Transaction.Account);
        Assert.Equal(hash, check.Transaction.Hash);
        Assert.Equal(keyType, check.Transaction.KeyType);
        Assert.Equal(transactionType, check.Transaction.TransactionType);
        Assert.Equal(masterKey, check.Transaction.SignedWithMasterKey);
        if (masterKey) Assert.Equal(account, check.Transaction.SigningKeyAccount);
    }

    [Fact]
    public void The_key_of_a_blob_signed_for_another_account_is_named_by_its_own_address() =>
        // The xrpl.js wallet signs the path payment for r9cZ...; its own address is the Account of its NFTokenMint.
        Assert.Equal(XrplAddress.Encode(Convert.FromHexString(WalletAccountId)), XrplTransactionVerifier.Verify(PathPayment, PathPaymentHash).Transaction!.SigningKeyAccount);

    [Theory]
    [InlineData(MemoPayment)]
    [InlineData(Ed25519Payment)]
    public void A_changed_byte_is_refused_by_the_hash_and_then_by_the_signature(string blob)
    {
        var bytes = Convert.FromHexString(blob);
        bytes[10] ^= 0x01;   // inside Sequence / Flags
        var tampered = Convert.ToHexString(bytes);

        Assert.Contains("transaction id", XrplTransactionVerifier.Verify(tampered, HashOf(blob)).Failure, StringComparison.Ordinal);
        Assert.Contains("signature does not verify", XrplTransactionVerifier.Verify(tampered, HashOf(tampered)).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_or_missing_transaction_id_is_refused()
    {
        Assert.False(XrplTransactionVerifier.Verify(Ed25519Payment, Ed25519Payment2Hash).IsValid);
        Assert.False(XrplTransactionVerifier.Verify(Ed25519Payment, null).IsValid);
        Assert.False(XrplTransactionVerifier.Verify(Ed25519Payment, "").IsValid);
    }

    [Theory]
    [InlineData(MemoPayment, "0305E09ED602D40AB1AF65646A4007C2DAC17CB6CDACDE301E74FB2D728EA057CF", "02A8A44DB3D4C73EEEE11DFE54D2029103B776AA8A8D293A91D645977C9DF5F544")]
    [InlineData(Ed25519Payment, "EDC5349AD8114DCDA07A355AA850FABE710CEE8FCBD891F1B919A6F6713C7BABA0", OtherEd25519Key)]
    public void A_signature_presented_with_another_key_is_refused(string blob, string key, string otherKey)
    {
        var swapped = blob.Replace(key, otherKey, StringComparison.Ordinal);
        Assert.NotEqual(blob, swapped);

        var check = XrplTransactionVerifier.Verify(swapped, HashOf(swapped));

        Assert.Contains("signature does not verify", check.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malleated_high_s_signature_is_refused_though_it_is_mathematically_valid()
    {
        const string Signature = "30450221009C00E8439E017CA622A5A1EE7643E26B4DE9C808DE2ABE45D33479D49A4CEC66022062175BE8733442FA2A4D9A35F85A57D58252AE7B19A66401FE238B36FA28E5A0";
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var r = Convert.FromHexString(Signature)[4..37];
        var s = new BigInteger(Convert.FromHexString(Signature)[39..], isUnsigned: true, isBigEndian: true);
        var highS = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        if ((highS[0] & 0x80) != 0) highS = [0, .. highS];
        byte[] der = [0x30, (byte)(4 + r.Length + highS.Length), 0x02, (byte)r.Length, .. r, 0x02, (byte)highS.Length, .. highS];
        var malleated = MemoPayment.Replace("7447" + Signature, "74" + der.Length.ToString("X2", CultureInfo.InvariantCulture) + Convert.ToHexString(der), StringComparison.Ordinal);
        Assert.NotEqual(MemoPayment, malleated);

        Assert.Contains("signature does not verify", XrplTransactionVerifier.Verify(malleated, HashOf(malleated)).Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MemoPayment)]
    [InlineData(PathPayment)]
    [InlineData(Ed25519Payment)]
    public void Every_truncation_is_refused_without_an_exception(string blob)
    {
        for (var length = 0; length < blob.Length; length += 2)
        {
            var cut = blob[..length];
            Assert.False(XrplTransactionVerifier.Verify(cut, HashOf(cut)).IsValid, $"accepted {length / 2} bytes");
        }
    }

    [Fact]
    public void Garbage_is_refused_without_an_exception()
    {
        var random = new Random(20240601);
        var valid = Convert.FromHexString(Ed25519Payment);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                // Keep a valid start so the parser gets further before it meets the noise.
                valid.AsSpan(0, Math.Min(bytes.Length, random.Next(1, valid.Length))).CopyTo(bytes);
            }

            var hex = Convert.ToHexString(bytes);
            Assert.False(XrplTransactionVerifier.Verify(hex, HashOf(hex)).IsValid);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12000")]
    [InlineData("ZZ00")]
    [InlineData("E1")]
    [InlineData("F1")]
    public void Malformed_input_is_refused(string? blob) =>
        Assert.False(XrplTransactionVerifier.Verify(blob, blob is null || blob.Length % 2 != 0 || blob.Contains('Z') ? "00" : HashOf(blob)).IsValid);

    [Fact]
    public void An_oversized_blob_is_refused_before_it_is_read() =>
        Assert.Contains("length", XrplTransactionVerifier.Verify(new string('0', 2 * XrplTransactionVerifier.MaxBlobBytes + 2), null).Failure, StringComparison.Ordinal);

    [Fact]
    public void A_field_given_twice_makes_the_blob_ambiguous_and_refused()
    {
        var doubled = Ed25519Payment.Replace("2280000000", "22800000002280000000", StringComparison.Ordinal);
        Assert.Contains("well-formed", XrplTransactionVerifier.Verify(doubled, HashOf(doubled)).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ledger_transaction_is_not_a_sign_in_even_when_its_signature_holds()
    {
        Assert.True(XrplTransactionVerifier.Verify(Ed25519Payment, Ed25519PaymentHash).IsValid);
        Assert.Contains("not a SignIn", XummSignInBlob.Verify(Ed25519Payment, Ed25519PaymentHash).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sign_in_signed_in_xaman_verifies_as_a_sign_in_of_its_account()
    {
        var check = XummSignInBlob.Verify(XamanSignIn.ToLowerInvariant(), HashOf(XamanSignIn).ToLowerInvariant());

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(XamanSignInAccount, check.Transaction.Account);
        Assert.True(check.Transaction.SignedWithMasterKey);
        Assert.Null(check.Transaction.TransactionType);
    }

    /// <summary>The largest one-byte length, the two-byte form's first and last, the three-byte form's first.</summary>
    [Theory]
    [InlineData(192, "C0")]
    [InlineData(193, "C100")]
    [InlineData(12480, "F0FF")]
    [InlineData(12481, "F10000")]
    public void Length_prefixes_are_read_at_the_boundaries_of_their_forms(int length, string prefix)
    {
        var key = WalletKey.Create(SimulatedKeyType.Ed25519);
        var exact = SignedBlob(key, Memo(prefix, length));
        var oneShort = SignedBlob(key, Memo(prefix, length - 1));

        var check = XummSignInBlob.Verify(exact, HashOf(exact));
        Assert.True(check.IsValid, check.Failure);
        Assert.Contains("well-formed", XummSignInBlob.Verify(oneShort, HashOf(oneShort)).Failure, StringComparison.Ordinal);

        // Memos holding one Memo whose MemoData has this prefix and this many bytes.
        static byte[] Memo(string prefix, int dataBytes) => [0xF9, 0xEA, 0x7D, .. Convert.FromHexString(prefix), .. new byte[dataBytes], 0xE1, 0xF1];
    }

    [Theory]
    [InlineData("E1")]
    [InlineData("F1")]
    [InlineData("00")]
    [InlineData("81")]
    public void A_byte_after_the_last_field_is_refused(string trailing)
    {
        var blob = SignedBlob(WalletKey.Create(SimulatedKeyType.Secp256k1)) + trailing;
        Assert.Contains("well-formed", XummSignInBlob.Verify(blob, HashOf(blob)).Failure, StringComparison.Ordinal);
    }

    /// <summary>
    /// Ed25519 points of order 1, 2, 4 and 8 (y = 1, p-1, the order-8 pair and 0 with either sign, and 1 written as p+1).
    /// With the identity as key, R = identity and S = 0 is a valid signature of every message: nobody holds that key,
    /// yet anybody signs for its account. The other points of the small subgroup allow the same for one message in 2, 4 or 8.
    /// </summary>
    [Theory]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("ECFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("EEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7F", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("26E8958FC2B227B045C3F489F2EF98F0D5DFAC05D3C63339B13802886D53FC05", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("C7176A703D4DD84FBA3C0B760D10670F2A2053FA2C39CCC64EC7FD7792AC037A", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000080", "0100000000000000000000000000000000000000000000000000000000000000")]
    public void An_ed25519_key_of_small_order_is_refused_though_its_signature_holds_for_any_message(string key, string r)
    {
        byte[] publicKey = [0xED, .. Convert.FromHexString(key)];
        var accountId = Ed25519Native.Ripemd160(SHA256.HashData(publicKey));
        byte[] blob = [0x73, 0x21, .. publicKey, 0x74, 0x40, .. Convert.FromHexString(r), .. new byte[32], 0x81, 0x14, .. accountId];
        var hex = Convert.ToHexString(blob);

        Assert.Contains("signing key is not a usable", XrplTransactionVerifier.Verify(hex, HashOf(hex)).Failure, StringComparison.Ordinal);
    }

    /// <summary>A SignIn for the key's own account, signed over <c>STX\0</c> and every field but TxnSignature.</summary>
    private static string SignedBlob(WalletKey key, byte[]? after = null)
    {
        byte[] keyField = [0x73, (byte)key.PublicKey.Length, .. key.PublicKey];
        byte[] rest = [0x81, 0x14, .. Ed25519Native.Ripemd160(SHA256.HashData(key.PublicKey)), .. after ?? []];
        var signature = key.Sign([0x53, 0x54, 0x58, 0x00, .. keyField, .. rest]);
        return Convert.ToHexString([.. keyField, 0x74, (byte)signature.Length, .. signature, .. rest]);
    }

    internal static string HashOf(string hex) =>
        Convert.ToHexString(SHA512.HashData([0x54, 0x58, 0x4E, 0x00, .. Convert.FromHexString(hex)])[..32]);
}
