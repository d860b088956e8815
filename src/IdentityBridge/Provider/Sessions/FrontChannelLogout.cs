using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Tokens;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityBridge.Provider.Sessions;

/// <summary>
/// OpenID Connect Front-Channel Logout 1.0 §3-4: the frames of a logout in the browser. Every enabled client of the
/// ended session that registered a front-channel logout URI gets one, whose address is that URI with <c>iss</c> (the
/// issuer) and <c>sid</c> (the session as that client saw it in its ID tokens, pairwise or not) added. Both are added
/// for every client, whether or not it registered <c>frontchannel_logout_session_required</c>: the bridge announces
/// <c>frontchannel_logout_session_supported</c>, and §2 lets it send them to a client that did not ask.
/// A logout without a browser (expiry, an administrator's revoke, a disabled account) has no page to frame them in:
/// its clients are told over the back channel only (<see cref="BackChannelLogoutNotifier"/>).
/// </summary>
public sealed class FrontChannelLogout(ClientStore clients, SubjectResolver subjects, ProviderUrls urls)
{
    /// <summary>The frames for the clients of an ended session, in client id order; none when no client registered a URI.</summary>
    public async Task<IReadOnlyList<FrontChannelFrame>> FramesAsync(string sessionId, IEnumerable<string> clientIds, CancellationToken ct = default)
    {
        var frames = new List<FrontChannelFrame>();
        foreach (var clientId in clientIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var client = await clients.FindEnabledAsync(clientId, ct);
            if (client?.FrontChannelLogoutUri is not { } uri || OriginOf(uri) is not { } origin) continue;
            var sid = await subjects.SessionIdForAsync(client, sessionId, ct);
            var src = QueryHelpers.AddQueryString(uri, new Dictionary<string, string?> { ["iss"] = urls.Issuer, ["sid"] = sid });
            frames.Add(new FrontChannelFrame(client.ClientId, client.ClientName, src, origin));
        }
        return frames;
    }

    /// <summary>
    /// The origin of a front-channel logout URI as a Content-Security-Policy source (scheme, host in its ASCII form,
    /// and the port when not the scheme's default); null for a URI that is not an absolute http(s) URL.
    /// </summary>
    internal static string? OriginOf(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var u) || u.Scheme is not ("https" or "http") || u.IdnHost.Length == 0) return null;
        var host = u.HostNameType == UriHostNameType.IPv6 ? u.Host : u.IdnHost;
        return u.Scheme + "://" + host + (u.IsDefaultPort ? "" : ":" + u.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>One client's front-channel logout frame: its address (with <c>iss</c> and <c>sid</c>) and that address's origin.</summary>
public sealed record FrontChannelFrame(string ClientId, string ClientName, string Src, string Origin);
