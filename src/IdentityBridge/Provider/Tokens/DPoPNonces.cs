using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using IdentityBridge.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Tokens;

/// <summary>
/// Server nonces for DPoP proofs (RFC 9449 §8-9), used with <c>Bridge:DPoP:RequireNonce</c>. A nonce holds no
/// state on the server: it is the number of a <see cref="Window"/> of time, protected with ASP.NET Core Data
/// Protection, whose key ring every node shares in the database, so any node takes what another handed out. A nonce
/// is taken in the window it was issued in and in the next one, so that one handed out just before a window ends
/// still works: it lives at least one window and at most two. One of the following window is taken as well, for a
/// node whose clock runs a little ahead. A node hands out the same nonce for the whole of a window.
/// </summary>
public sealed class DPoPNonces(IDataProtectionProvider protection, TimeProvider time, IOptions<BridgeOptions> options)
{
    /// <summary>The response header that carries a nonce to use (RFC 9449 §8.1).</summary>
    public const string HeaderName = "DPoP-Nonce";

    /// <summary>How long one nonce is handed out for; it is taken for up to twice as long.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Longer than any nonce handed out (about 140 characters): a longer one is not decoded.</summary>
    private const int MaxLength = 512;

    private readonly IDataProtector _protector = protection.CreateProtector("IdentityBridge.DPoP.Nonce");
    private Issued? _issued;

    /// <summary>Whether proofs must carry a nonce (<c>Bridge:DPoP:RequireNonce</c>).</summary>
    public bool Required { get; } = options.Value.DPoP.RequireNonce;

    /// <summary>The nonce to hand out now: the same for the whole of the current window.</summary>
    public string Current()
    {
        var window = WindowNow();
        if (_issued is { } issued && issued.Window == window) return issued.Value;
        var payload = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(payload, window);
        var value = Base64Url.EncodeToString(_protector.Protect(payload));
        _issued = new Issued(window, value);
        return value;
    }

    /// <summary>Whether <paramref name="nonce"/> was handed out by a node of this bridge in the current or the previous window.</summary>
    public bool IsCurrent(string nonce)
    {
        if (nonce.Length is 0 or > MaxLength) return false;
        byte[] payload;
        try
        {
            payload = _protector.Unprotect(Base64Url.DecodeFromChars(nonce));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }
        if (payload.Length != sizeof(long)) return false;
        var issued = BinaryPrimitives.ReadInt64BigEndian(payload);
        var now = WindowNow();
        return issued >= now - 1 && issued <= now + 1;
    }

    private long WindowNow() => time.GetUtcNow().ToUnixTimeSeconds() / (long)Window.TotalSeconds;

    private sealed record Issued(long Window, string Value);
}
