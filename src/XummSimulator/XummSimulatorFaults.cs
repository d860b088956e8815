namespace XummSimulator;

/// <summary>Misbehaviours the simulator can be told to show, to test how a client copes.</summary>
public sealed record XummSimulatorFaults
{
    public static XummSimulatorFaults None { get; } = new();

    /// <summary>Sign OAuth2 JWTs with a key that is not in the JWKS.</summary>
    public bool SignWithUnknownKey { get; init; }

    /// <summary>Issue OAuth2 JWTs that are already expired.</summary>
    public bool ExpiredTokens { get; init; }

    /// <summary>Every OAuth2 and platform endpoint answers HTTP 500.</summary>
    public bool Status500 { get; init; }

    /// <summary>Every OAuth2 and platform endpoint waits this long before answering.</summary>
    public int DelayMs { get; init; }

    /// <summary>Put a <c>kid</c> in JWT headers and the JWKS (on top of <see cref="XummSimulatorOptions.EmitKeyId"/>).</summary>
    public bool IncludeKeyId { get; init; }

    /// <summary>
    /// Put a <c>kid</c> in JWT headers only; the JWKS key stays without one unless another switch adds it. The
    /// platform does not reliably set <c>kid</c>, so a token may name a key the JWKS does not label.
    /// </summary>
    public bool KeyIdInToken { get; init; }

    /// <summary>Put a <c>kid</c> on the JWKS key only; JWT headers stay without one unless another switch adds it.</summary>
    public bool KeyIdInKeySet { get; init; }

    /// <summary>
    /// Accept <c>signers</c> on a payload or an OAuth2 sign-in but let any wallet sign it, to test that a client
    /// checks the signing wallet itself.
    /// </summary>
    public bool IgnoreSigners { get; init; }

    /// <summary>
    /// Accept <c>force_network</c> but let the wallet sign on the network it chose (or the default one), to test
    /// that a client checks the reported network itself.
    /// </summary>
    public bool IgnoreForceNetwork { get; init; }

    /// <summary>
    /// Answer SignIn blobs whose signature does not verify (one byte changed after signing; the transaction id still
    /// matches the blob), to test that a client checks the signature itself.
    /// </summary>
    public bool ForgedSignIn { get; init; }

    /// <summary>r-addresses reported <c>blocked: true</c> in addition to the configured ones.</summary>
    public IReadOnlySet<string> BlockedAccounts { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}
