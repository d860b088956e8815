using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Federation.Payload;

/// <summary>
/// Told when a sign-in request leaves <c>pending</c> (signed, rejected, expired, cancelled, failed), whichever
/// path noticed it. CIBA uses it to ping clients; the Federation module does not depend on the provider.
/// </summary>
public interface ISignInResolutionObserver
{
    Task OnResolvedAsync(SignInRequest request, string status, CancellationToken ct);
}
