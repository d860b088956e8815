using IdentityBridge.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace IdentityBridge.Tests.Foundation;

public sealed class ConfigurationTests
{
    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "IdentityBridge";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static IReadOnlyList<string> BridgeErrors(BridgeOptions o, string env = "Production") =>
        new BridgeOptionsValidator(new Env(env)).Validate(null, o).Failures?.ToList() ?? [];

    private static IReadOnlyList<string> XummErrors(XummOptions o, string env = "Production") =>
        new XummOptionsValidator(new Env(env)).Validate(null, o).Failures?.ToList() ?? [];

    [Theory]
    [InlineData("", "Bridge:Issuer must be an absolute URL")]
    [InlineData("login.example.com", "Bridge:Issuer must be an absolute URL")]
    [InlineData("http://login.example.com", "Bridge:Issuer must use https")]
    [InlineData("https://login.example.com/", "must not end with '/'")]
    [InlineData("https://login.example.com?x=1", "must not have a query")]
    public void Bad_issuer_is_refused_with_a_message_naming_the_key(string issuer, string expected)
    {
        var errors = BridgeErrors(new BridgeOptions { Issuer = issuer });
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://login.example.com")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://127.0.0.1:8080")]
    public void Https_issuer_or_http_on_loopback_is_accepted(string issuer) =>
        Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = issuer }));

    [Fact]
    public void Postgres_without_connection_string_names_the_key()
    {
        var errors = BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Database = { Provider = DatabaseProvider.Postgres } });
        Assert.Contains(errors, e => e.StartsWith("Bridge:Database:ConnectionString is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_declarations_are_checked_key_by_key()
    {
        var o = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients =
            [
                new ClientDefinition { ClientId = "web", ClientSecret = "s", RedirectUris = ["javascript:alert(1)"] },
                new ClientDefinition { ClientId = "web", ClientSecret = "s", AllowedScopes = ["openid", "everything"] },
                new ClientDefinition { ClientId = "spa", ClientType = "public", ClientSecret = "oops", RedirectUris = ["https://app.example/cb#frag"] },
                new ClientDefinition { ClientId = "conf" },
            ],
        };
        var errors = BridgeErrors(o);
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:0:RedirectUris 'javascript:alert(1)'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:1:ClientId 'web' is declared twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:1:AllowedScopes has unknown scope 'everything'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:2:ClientSecret must be empty for a public client", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:2:RedirectUris", StringComparison.Ordinal) && e.Contains("fragment", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:3:ClientSecret is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_bootstrap_wallet_is_refused() =>
        Assert.Contains(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Admin = { BootstrapWallets = ["rNotAnAddress"] } }),
            e => e.StartsWith("Bridge:Admin:BootstrapWallets contains 'rNotAnAddress'", StringComparison.Ordinal));

    [Fact]
    public void Production_refuses_the_simulator() =>
        Assert.Contains(XummErrors(new XummOptions { ApiKey = "k", ApiSecret = "s", Simulator = { Enabled = true } }),
            e => e.StartsWith("Xumm:Simulator:Enabled must be false in Production", StringComparison.Ordinal));

    [Fact]
    public void Production_requires_xumm_credentials()
    {
        var errors = XummErrors(new XummOptions());
        Assert.Contains(errors, e => e.StartsWith("Xumm:ApiKey is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Xumm:ApiSecret is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Development_with_the_simulator_needs_no_credentials() =>
        Assert.Empty(XummErrors(new XummOptions { Simulator = { Enabled = true } }, "Development"));

    [Fact]
    public void Secret_never_appears_in_validation_messages()
    {
        const string secret = "c0ffee00-dead-4bee-8f00-123456789abc";
        var errors = XummErrors(new XummOptions { ApiKey = "k", ApiSecret = secret, Authority = "ftp://x", Simulator = { Enabled = true } });
        Assert.NotEmpty(errors);
        Assert.DoesNotContain(errors, e => e.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public void Client_lists_from_configuration_replace_the_defaults_instead_of_adding_to_them()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bridge:Clients:0:ClientId"] = "svc",
            ["Bridge:Clients:0:AllowedGrantTypes:0"] = "client_credentials",
            ["Bridge:Clients:0:AllowedScopes:0"] = "roles",
            ["Bridge:Clients:1:ClientId"] = "web",
        }).Build();
        var o = new BridgeOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Bridge"), o);
        Assert.Equal(["client_credentials"], o.Clients[0].EffectiveGrantTypes);
        Assert.Equal(["roles"], o.Clients[0].EffectiveScopes);
        Assert.Equal(ClientDefinition.DefaultGrantTypes, o.Clients[1].EffectiveGrantTypes);
    }

    [Fact]
    public void A_ciba_ping_client_is_declared_in_configuration_and_imported_with_its_notification_endpoint()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bridge:Issuer"] = "https://a.example",
            ["Bridge:Clients:0:ClientId"] = "desk",
            ["Bridge:Clients:0:ClientSecret"] = "desk-secret",
            ["Bridge:Clients:0:AllowedGrantTypes:0"] = "urn:openid:params:grant-type:ciba",
            ["Bridge:Clients:0:BackchannelTokenDeliveryMode"] = "ping",
            ["Bridge:Clients:0:BackchannelClientNotificationEndpoint"] = "https://desk.example/ciba/notify",
        }).Build();
        var o = new BridgeOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Bridge"), o);
        Assert.Empty(BridgeErrors(o));

        var client = new IdentityBridge.Storage.Entities.Client { ClientId = "desk", ClientName = "desk" };
        IdentityBridge.Clients.ClientImporter.Apply(o.Clients[0], client, DateTimeOffset.UnixEpoch);
        Assert.Equal("ping", client.BackchannelTokenDeliveryMode);
        Assert.Equal("https://desk.example/ciba/notify", client.BackchannelClientNotificationEndpoint);

        // Removed from configuration: the next import clears it (back to poll).
        IdentityBridge.Clients.ClientImporter.Apply(new ClientDefinition { ClientId = "desk", ClientSecret = "desk-secret" }, client, DateTimeOffset.UnixEpoch);
        Assert.Null(client.BackchannelTokenDeliveryMode);
        Assert.Null(client.BackchannelClientNotificationEndpoint);
    }

    [Theory]
    [InlineData("ping", null, "BackchannelClientNotificationEndpoint is required")]
    [InlineData("ping", "http://desk.example/notify", "BackchannelClientNotificationEndpoint must be an absolute https URL")]
    [InlineData("ping", "https://desk.example/notify#x", "BackchannelClientNotificationEndpoint must be an absolute https URL")]
    [InlineData("ping", "/notify", "BackchannelClientNotificationEndpoint must be an absolute https URL")]
    [InlineData("push", "https://desk.example/notify", "BackchannelTokenDeliveryMode must be poll, ping or empty")]
    public void A_bad_ciba_delivery_declaration_names_the_key(string mode, string? endpoint, string expected)
    {
        var o = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "desk", ClientSecret = "s", BackchannelTokenDeliveryMode = mode, BackchannelClientNotificationEndpoint = endpoint }],
        };
        Assert.Contains(BridgeErrors(o), e => e.StartsWith("Bridge:Clients:0:" + expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ping", "https://desk.example/notify")]
    [InlineData("ping", "http://127.0.0.1:8123/notify")]
    [InlineData("poll", null)]
    [InlineData(null, null)]
    public void A_ciba_delivery_declaration_with_https_or_loopback_is_accepted(string? mode, string? endpoint) =>
        Assert.Empty(BridgeErrors(new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "desk", ClientSecret = "s", BackchannelTokenDeliveryMode = mode, BackchannelClientNotificationEndpoint = endpoint }],
        }));
}
