using IdentityBridge.Provider.Discovery;

namespace IdentityBridge.Provider.Ciba;

/// <summary>
/// CIBA metadata (CIBA Core §4): the backchannel authentication endpoint, poll and ping delivery, no user_code.
/// The grant type itself is listed by discovery from the registered <see cref="CibaGrant"/>.
/// </summary>
internal sealed class CibaDiscovery : IDiscoveryContributor
{
    public void Contribute(IDictionary<string, object> document, ProviderUrls urls)
    {
        document["backchannel_authentication_endpoint"] = urls.Issuer + Ciba.Path;
        document["backchannel_token_delivery_modes_supported"] = new[] { Ciba.PollMode, Ciba.PingMode };
        document["backchannel_user_code_parameter_supported"] = false;
    }
}
