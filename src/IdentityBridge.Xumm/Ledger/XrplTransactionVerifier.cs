using System.Diagnostics.CodeAnalysis;

namespace IdentityBridge.Xumm;

/// <summary>A signed XRPL transaction blob whose hash and single signature were checked offline.</summary>
/// <param name="Account">The <c>Account</c> field: the account the transaction speaks for.</param>
/// <param name="SigningKeyAccount">The r-address derived from <c>SigningPubKey</c>.</param>
/// <param name="KeyType">The kind of key that signed.</param>
/// <param name="TransactionType">The <c>TransactionType</c> code, or null when the blob has none (a pseudo-transaction such as Xumm's SignIn).</param>
/// <param name="Hash">The transaction id (upper-case hex).</param>
public sealed record XrplSignedTransaction(string Account, string SigningKeyAccount, XrplKeyType KeyType, int? TransactionType, string Hash)
{
    /// <summary>
    /// Whether the account's master key signed. Otherwise another key did, which the account may have set as its
    /// regular key; only the ledger knows whether it has, so offline this proves less.
    /// </summary>
    public bool SignedWithMasterKey => string.Equals(Account, SigningKeyAccount, StringComparison.Ordinal);
}

/// <summary>The outcome of checking a signed blob: the transaction, or why it was refused.</summary>
public sealed record XrplTransactionCheck(XrplSignedTransaction? Transaction, string? Failure)
{
    [MemberNotNullWhen(true, nameof(Transaction))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsValid => Transaction is not null;

    internal static XrplTransactionCheck Refuse(string failure) => new(null, failure);
}

/// <summary>
/// Checks a signed XRPL transaction blob offline, without a ledger: it must parse completely
/// (<see cref="XrplBinaryParser"/>), carry <c>Account</c>, <c>SigningPubKey</c> and <c>TxnSignature</c> (one signer;
/// multi-signed blobs are refused), its signature must verify over the signing data (<c>STX\0</c> and the blob
/// without <c>TxnSignature</c>), and the announced transaction id must be SHA-512Half of <c>TXN\0</c> and the blob.
/// Nothing here throws on bad input: every malformed blob is a refusal with a reason.
/// </summary>
public static class XrplTransactionVerifier
{
    /// <summary>Largest blob accepted; signed transactions are a few hundred bytes.</summary>
    public const int MaxBlobBytes = 16 * 1024;

    private const int TransactionTypeField = 2;
    private const int AccountField = 1;
    private const int SigningPubKeyField = 3;
    private const int TxnSignatureField = 4;
    private const int SignersField = 3;

    private static readonly byte[] SigningPrefix = [0x53, 0x54, 0x58, 0x00];       // "STX\0"
    private static readonly byte[] TransactionIdPrefix = [0x54, 0x58, 0x4E, 0x00]; // "TXN\0"

    /// <summary>Checks the hex blob <paramref name="hex"/> and its announced id <paramref name="txid"/>.</summary>
    public static XrplTransactionCheck Verify(string? hex, string? txid)
    {
        if (string.IsNullOrEmpty(hex)) return XrplTransactionCheck.Refuse("The signed blob is missing.");
        if (hex.Length > 2 * MaxBlobBytes || hex.Length % 2 != 0) return XrplTransactionCheck.Refuse("The signed blob has an impossible length.");
        byte[] blob;
        try
        {
            blob = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return XrplTransactionCheck.Refuse("The signed blob is not hex.");
        }

        if (XrplBinaryParser.TryReadFields(blob) is not { } fields) return XrplTransactionCheck.Refuse("The signed blob is not a well-formed XRPL transaction.");

        var hash = Convert.ToHexString(XrplSignatures.Sha512Half([.. TransactionIdPrefix, .. blob]));
        if (!string.Equals(hash, txid, StringComparison.OrdinalIgnoreCase)) return XrplTransactionCheck.Refuse("The transaction id is not the hash of the signed blob.");

        if (Find(fields, XrplBinaryParser.StArray, SignersField) is not null) return XrplTransactionCheck.Refuse("Multi-signed blobs are not accepted.");
        if (Find(fields, XrplBinaryParser.AccountId, AccountField) is not { } account) return XrplTransactionCheck.Refuse("The signed blob names no Account.");
        if (Find(fields, XrplBinaryParser.Blob, SigningPubKeyField) is not { } key) return XrplTransactionCheck.Refuse("The signed blob has no SigningPubKey.");
        if (Find(fields, XrplBinaryParser.Blob, TxnSignatureField) is not { } signature) return XrplTransactionCheck.Refuse("The signed blob has no TxnSignature.");

        if (!LibCrypto.IsAvailable) return XrplTransactionCheck.Refuse("OpenSSL 3 (libcrypto.so.3) is not available to check the signature.");
        var publicKey = Payload(blob, key);
        if (XrplSignatures.KeyTypeOf(publicKey) is not { } keyType) return XrplTransactionCheck.Refuse("The signing key is not a usable secp256k1 or Ed25519 public key.");

        var signingData = new byte[SigningPrefix.Length + blob.Length - (signature.End - signature.Start)];
        SigningPrefix.CopyTo(signingData, 0);
        blob.AsSpan(0, signature.Start).CopyTo(signingData.AsSpan(SigningPrefix.Length));
        blob.AsSpan(signature.End).CopyTo(signingData.AsSpan(SigningPrefix.Length + signature.Start));
        if (!XrplSignatures.Verify(publicKey, signingData, Payload(blob, signature))) return XrplTransactionCheck.Refuse("The signature does not verify.");

        if (XrplSignatures.AccountIdOf(publicKey) is not { } keyAccountId) return XrplTransactionCheck.Refuse("The signing key's address cannot be derived.");

        int? transactionType = Find(fields, XrplBinaryParser.UInt16, TransactionTypeField) is { } type
            ? (blob[type.ValueStart] << 8) | blob[type.ValueStart + 1]
            : null;
        return new XrplTransactionCheck(new XrplSignedTransaction(
            XrplAddress.Encode(Payload(blob, account)), XrplAddress.Encode(keyAccountId), keyType, transactionType, hash), null);
    }

    private static XrplField? Find(IReadOnlyList<XrplField> fields, int type, int field)
    {
        foreach (var candidate in fields)
        {
            if (candidate.TypeCode == type && candidate.FieldCode == field) return candidate;
        }

        return null;
    }

    /// <summary>The bytes of a length-prefixed field, after its prefix (the parser has already checked it).</summary>
    private static ReadOnlySpan<byte> Payload(byte[] blob, XrplField field)
    {
        var position = field.ValueStart;
        XrplBinaryParser.TryReadLength(blob, ref position, out var length);
        return blob.AsSpan(position, length);
    }
}
