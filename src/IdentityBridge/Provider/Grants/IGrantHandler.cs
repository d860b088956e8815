using IdentityBridge.Provider.Tokens;

namespace IdentityBridge.Provider.Grants;

/// <summary>
/// A grant type of the token endpoint. Register implementations with
/// <c>services.AddGrantHandler&lt;MyGrant&gt;("urn:example:grant")</c> (or as a plain scoped <c>IGrantHandler</c>):
/// the endpoint authenticates the client, checks <c>grant_type</c> against the client's allowed grant types
/// (unauthorized_client), then dispatches here. The handler validates its parameters and usually ends
/// with <see cref="TokenIssuer.IssueAsync"/>. Discovery lists every registered grant type.
/// </summary>
public interface IGrantHandler
{
    string GrantType { get; }

    Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct);
}
