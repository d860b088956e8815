namespace IdentityBridge.Xumm;

/// <summary>Broad class of a failed platform call.</summary>
public enum XummErrorKind
{
    /// <summary>The request did not get an HTTP answer (DNS, connection, TLS, reset).</summary>
    Network,

    /// <summary>No answer within the configured time.</summary>
    Timeout,

    /// <summary>The platform asked to slow down, or the client holds back until the quota lifts.</summary>
    RateLimited,

    /// <summary>An HTTP error status without a readable platform error.</summary>
    Http,

    /// <summary>The platform answered with its own error code.</summary>
    Upstream,

    /// <summary>A success status whose body is not what the platform documents.</summary>
    InvalidResponse,
}
