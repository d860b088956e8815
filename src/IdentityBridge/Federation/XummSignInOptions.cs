namespace IdentityBridge.Federation;

/// <summary>Tuning of the upstream sign-in (configuration section <c>Xumm:SignIn</c>).</summary>
public sealed class XummSignInOptions
{
    public const string Section = "Xumm:SignIn";

    /// <summary>Time allowed for each call to Xumm (discovery, keys, token, userinfo); a slower answer fails the sign-in.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
