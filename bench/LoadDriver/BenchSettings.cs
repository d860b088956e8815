namespace LoadDriver;

/// <summary>The clients and scopes a run uses (the same names on every server).</summary>
public sealed record BenchSettings(
    ClientCredentials Service,
    string? ServiceScope,
    ClientCredentials Web,
    string RedirectUri,
    string CodeScope,
    ClientCredentials UserInfoClient,
    string UserInfoScope)
{
    public static BenchSettings From(Arguments args) => new(
        new ClientCredentials(args.Get("service-client-id", "bench-service"), args.Get("service-client-secret", "")),
        args.Get("service-scope"),
        new ClientCredentials(args.Get("web-client-id", "bench-web"), args.Get("web-client-secret", "")),
        args.Require("redirect-uri"),
        args.Get("code-scope", "openid profile offline_access"),
        new ClientCredentials(args.Get("userinfo-client-id") ?? args.Get("web-client-id", "bench-web"),
            args.Get("userinfo-client-secret") ?? args.Get("web-client-secret", "")),
        args.Get("userinfo-scope", "openid profile"));
}
