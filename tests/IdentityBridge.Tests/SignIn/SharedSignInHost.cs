using IdentityBridge.Xumm;

namespace IdentityBridge.Tests.SignIn;

/// <summary>
/// One <see cref="SignInHost"/> for a whole test class of refusals (which change nothing), with one wallet
/// already signed in by QR, so it holds an account and a live user token.
/// </summary>
public sealed class SharedSignInHost : IAsyncLifetime
{
    public SignInHost Host { get; } = new();

    public string Wallet { get; } = XrplAddress.CreateRandom();

    public async Task InitializeAsync() => await Host.SignInByQrAsync(Host.CreateBrowser(), Wallet);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
