using System.Security.Cryptography;

namespace XummSimulator.Internal;

/// <summary>
/// The signed blob of a SignIn: the pseudo-transaction the wallet signs, in the ledger's binary format with no
/// <c>TransactionType</c> (the app leaves it out of pseudo-transactions), only <c>SigningPubKey</c>,
/// <c>TxnSignature</c> and <c>Account</c> in canonical field order. The signature covers <c>STX\0</c> and the blob
/// without <c>TxnSignature</c>; the transaction id is SHA-512Half of <c>TXN\0</c> and the whole blob.
/// </summary>
internal static class SignInBlob
{
    private const byte SigningPubKeyHeader = 0x73;  // Blob, field 3
    private const byte TxnSignatureHeader = 0x74;   // Blob, field 4
    private const byte AccountHeader = 0x81;        // AccountID, field 1

    /// <summary>
    /// Signs a SignIn for <paramref name="accountId"/> with <paramref name="key"/>. <paramref name="forge"/> spoils one
    /// byte of the signature after signing (the id still matches the blob), for clients that must check signatures.
    /// </summary>
    public static (string Hex, string TxId) Sign(WalletKey key, byte[] accountId, bool forge)
    {
        byte[] keyField = [SigningPubKeyHeader, (byte)key.PublicKey.Length, .. key.PublicKey];
        byte[] accountField = [AccountHeader, (byte)accountId.Length, .. accountId];
        var signature = key.Sign([0x53, 0x54, 0x58, 0x00, .. keyField, .. accountField]);
        if (forge)
        {
            signature[^1] ^= 0x01;
        }

        byte[] blob = [.. keyField, TxnSignatureHeader, (byte)signature.Length, .. signature, .. accountField];
        var txid = SHA512.HashData([0x54, 0x58, 0x4E, 0x00, .. blob])[..32];
        return (Convert.ToHexString(blob), Convert.ToHexString(txid));
    }
}
