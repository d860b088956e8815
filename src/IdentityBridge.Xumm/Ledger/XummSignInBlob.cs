namespace IdentityBridge.Xumm;

/// <summary>
/// The signed blob of a Xumm <c>SignIn</c> payload (<c>response.hex</c> with <c>response.txid</c>). SignIn is a
/// pseudo-transaction: Xumm signs it like any transaction but leaves <c>TransactionType</c> out altogether (the
/// ledger has no such type; the app refuses to sign a pseudo-transaction that carries one), so it can never be
/// submitted. A blob that does carry a transaction type is a real ledger transaction and not a sign-in.
/// </summary>
public static class XummSignInBlob
{
    /// <summary>Checks the blob as <see cref="XrplTransactionVerifier.Verify"/> does, and that it is a SignIn.</summary>
    public static XrplTransactionCheck Verify(string? hex, string? txid)
    {
        var check = XrplTransactionVerifier.Verify(hex, txid);
        if (check.IsValid && check.Transaction.TransactionType is not null)
            return XrplTransactionCheck.Refuse("The signed blob is a ledger transaction, not a SignIn.");
        return check;
    }
}
