using IdentityBridge.Admin.Services;
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
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:0:RedirectUris:0: the 'javascript:' scheme is not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:1:ClientId 'web' is declared twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:1:AllowedScopes:1: 'everything' is not one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:2:ClientSecret must be empty for a public client", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:2:RedirectUris:0: must not contain a fragment", StringComparison.Ordinal));
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
    public void Key_ring_certificate_must_exist_and_hold_an_rsa_private_key()
    {
        var folder = Directory.CreateTempSubdirectory("bridge-keyring-").FullName;
        try
        {
            var o = new BridgeOptions { Issuer = "https://a.example" };
            Assert.DoesNotContain(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal));

            o.KeyRing.CertificatePath = Path.Combine(folder, "missing.pfx");
            Assert.Contains(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal) && e.Contains("does not exist", StringComparison.Ordinal));

            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=key ring", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            var publicOnly = Path.Combine(folder, "public.pem");
            File.WriteAllText(publicOnly, certificate.ExportCertificatePem());
            o.KeyRing.CertificatePath = publicOnly;
            Assert.Contains(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal) && e.Contains("could not be read", StringComparison.Ordinal));

            var pfx = Path.Combine(folder, "ring.pfx");
            File.WriteAllBytes(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pw"));
            o.KeyRing.CertificatePath = pfx;
            Assert.Contains(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal));
            o.KeyRing.CertificatePassword = "pw";
            Assert.DoesNotContain(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal));

            // PEM with the certificate and its key in one file, as the README's openssl command makes it.
            var pem = Path.Combine(folder, "keyring.pem");
            File.WriteAllText(pem, certificate.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem());
            o.KeyRing = new KeyRingOptions { CertificatePath = pem };
            Assert.DoesNotContain(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal));
            o.KeyRing.PreviousCertificatePaths.Add(publicOnly);
            Assert.Contains(BridgeErrors(o), e => e.StartsWith("Bridge:KeyRing", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("RotationInterval", "00:00:00", "Bridge:Keys:RotationInterval must be positive")]
    [InlineData("RotationInterval", "-1.00:00:00", "Bridge:Keys:RotationInterval must be positive")]
    [InlineData("PropagationTime", "00:00:00", "Bridge:Keys:PropagationTime must be positive")]
    [InlineData("RetentionTime", "00:59:59", "Bridge:Keys:RetentionTime must be at least 01:00:00")]
    public void Key_schedule_durations_are_checked_key_by_key(string property, string value, string expected)
    {
        var o = new BridgeOptions { Issuer = "https://a.example" };
        typeof(KeyOptions).GetProperty(property)!.SetValue(o.Keys, TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(BridgeErrors(o), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-01:00:00")]
    public void A_session_lifetime_that_is_not_positive_is_refused_naming_the_key(string lifetime) =>
        Assert.Contains(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Session = { Lifetime = TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture) } }),
            e => e.StartsWith("Bridge:Session:Lifetime must be positive", StringComparison.Ordinal));

    [Fact]
    public void Default_key_schedule_is_accepted() =>
        Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Keys = { RetentionTime = TimeSpan.FromHours(1) } }));

    private const string GoodJwks =
        """{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1","use":"sig","alg":"ES256"}]}""";

    [Fact]
    public void A_declared_pairwise_client_with_redirect_uris_on_several_hosts_needs_a_sector_identifier()
    {
        // The rule the admin API applies (OIDC Core §8.1): otherwise the subjects follow whichever URI is listed first.
        string[] twoHosts = ["https://a.example.com/cb", "https://b.example.com/cb"];
        var refused = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "web", ClientSecret = "s", SubjectType = "pairwise", RedirectUris = [.. twoHosts] }],
        };
        Assert.Contains(BridgeErrors(refused), e => e.StartsWith("Bridge:Clients:0:SectorIdentifier: is required", StringComparison.Ordinal));

        // A blank value (an unset environment variable) is no sector identifier either.
        refused.Clients[0].SectorIdentifier = " ";
        Assert.Contains(BridgeErrors(refused), e => e.StartsWith("Bridge:Clients:0:SectorIdentifier: is required", StringComparison.Ordinal));

        Assert.Empty(BridgeErrors(new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients =
            [
                new ClientDefinition { ClientId = "sector", ClientSecret = "s", SubjectType = "pairwise", RedirectUris = [.. twoHosts], SectorIdentifier = "https://a.example.com/sector.json" },
                new ClientDefinition { ClientId = "one-host", ClientSecret = "s", SubjectType = "pairwise", RedirectUris = ["https://a.example.com/cb", "https://A.example.com/other"] },
                new ClientDefinition { ClientId = "public-subjects", ClientSecret = "s", RedirectUris = [.. twoHosts] },
            ],
        }));
    }

    [Theory]
    [InlineData("urn:openid:params:grant-type:ciba")]
    [InlineData("client_credentials")]
    public void A_declared_public_client_may_not_have_a_grant_that_needs_client_authentication(string grant)
    {
        // The token and backchannel authentication endpoints refuse these grants to a client that cannot
        // authenticate (RFC 6749 §4.4, CIBA Core §7.1), as the admin API refuses to register them.
        var o = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "spa", ClientType = "public", RedirectUris = ["https://app.example/cb"], AllowedGrantTypes = ["authorization_code", grant] }],
        };
        Assert.Contains(BridgeErrors(o), e => e.StartsWith($"Bridge:Clients:0:AllowedGrantTypes: {grant} needs a confidential client", StringComparison.Ordinal));

        o.Clients[0].ClientType = "confidential";
        o.Clients[0].ClientSecret = "s";
        Assert.Empty(BridgeErrors(o));
    }

    [Theory]
    [InlineData("not json", "must be a JWK Set in JSON")]
    [InlineData("""{"keys":[]}""", "has no keys")]
    [InlineData("""{"keys":[{"kty":"RSA","kid":"broken"}]}""", "none of its keys is a usable signing key")]
    [InlineData("""{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}""", "symmetric")]
    public void Client_jwks_from_configuration_must_be_a_usable_key_set(string jwks, string expected)
    {
        var o = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "svc", TokenEndpointAuthMethod = "private_key_jwt", Jwks = jwks, AllowedGrantTypes = ["client_credentials"] }],
        };
        Assert.Contains(BridgeErrors(o), e => e.StartsWith("Bridge:Clients:0:Jwks: ", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Client_jwks_that_parses_is_accepted_and_private_key_jwt_without_it_is_not()
    {
        var good = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "svc", TokenEndpointAuthMethod = "private_key_jwt", Jwks = GoodJwks, AllowedGrantTypes = ["client_credentials"] }],
        };
        Assert.Empty(BridgeErrors(good));
        var missing = new BridgeOptions { Issuer = "https://a.example", Clients = [new ClientDefinition { ClientId = "svc", TokenEndpointAuthMethod = "private_key_jwt", AllowedGrantTypes = ["client_credentials"] }] };
        Assert.Contains(BridgeErrors(missing), e => e.StartsWith("Bridge:Clients:0:Jwks: a JWK Set with a 'keys' array is required for private_key_jwt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("KnownProxies", "10.0.0.300", "Bridge:ForwardedHeaders:KnownProxies contains '10.0.0.300'")]
    [InlineData("KnownProxies", "proxy.internal", "Bridge:ForwardedHeaders:KnownProxies contains 'proxy.internal'")]
    [InlineData("KnownNetworks", "10.0.0.0/33", "Bridge:ForwardedHeaders:KnownNetworks contains '10.0.0.0/33'")]
    [InlineData("KnownNetworks", "10.0.0.0", "Bridge:ForwardedHeaders:KnownNetworks contains '10.0.0.0'")]
    public void Bad_proxy_addresses_are_refused_with_a_message_naming_the_key(string list, string value, string expected)
    {
        var o = new BridgeOptions { Issuer = "https://a.example" };
        ((List<string>)typeof(ForwardedHeadersSettings).GetProperty(list)!.GetValue(o.ForwardedHeaders)!).Add(value);
        Assert.Contains(BridgeErrors(o), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Good_proxy_addresses_are_accepted() =>
        Assert.Empty(BridgeErrors(new BridgeOptions
        {
            Issuer = "https://a.example",
            ForwardedHeaders = { KnownProxies = ["10.0.0.5", "2001:db8::1"], KnownNetworks = ["10.0.0.0/8", "2001:db8::/32"] },
        }));

    [Fact]
    public void Rate_limits_must_be_positive()
    {
        var errors = BridgeErrors(new BridgeOptions { Issuer = "https://a.example", RateLimits = { PermitsPerMinute = 0, PermitsPerMinutePerClient = -1 } });
        Assert.Contains(errors, e => e.StartsWith("Bridge:RateLimits:PermitsPerMinute must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Bridge:RateLimits:PermitsPerMinutePerClient must be at least 1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(36_501)]
    [InlineData(int.MaxValue)]
    public void The_audit_retention_is_a_number_of_days_a_date_can_go_back(int days)
    {
        // A value beyond what a date can go back made every daily purge throw: audit events were never deleted.
        var errors = BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Audit = { RetentionDays = days } });
        Assert.Contains(errors, e => e.StartsWith("Bridge:Audit:RetentionDays must be from 0 (keep every event) to 36500", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(36_500)]
    public void Audit_retention_from_0_to_100_years_is_accepted(int days) =>
        Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Audit = { RetentionDays = days } }));

    [Theory]
    [InlineData(-1, "00:00:02", "Bridge:Notifications:Retries must be from 0 (send once) to 10")]
    [InlineData(11, "00:00:02", "Bridge:Notifications:Retries must be from 0 (send once) to 10")]
    [InlineData(2, "-00:00:01", "Bridge:Notifications:RetryDelay must be from 00:00:00 to 00:01:00")]
    [InlineData(2, "00:01:01", "Bridge:Notifications:RetryDelay must be from 00:00:00 to 00:01:00")]
    public void Notification_retries_are_bounded(int retries, string delay, string error)
    {
        // Unbounded retries would keep a notification to a client that is gone going for as long as the node runs.
        var errors = BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Notifications = { Retries = retries, RetryDelay = TimeSpan.Parse(delay, System.Globalization.CultureInfo.InvariantCulture) } });
        Assert.Contains(errors, e => e.StartsWith(error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(10, "00:01:00")]
    public void Notification_retries_within_bounds_are_accepted(int retries, string delay) =>
        Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", Notifications = { Retries = retries, RetryDelay = TimeSpan.Parse(delay, System.Globalization.CultureInfo.InvariantCulture) } }));

    [Fact]
    public async Task Blank_list_entries_from_unset_variables_are_dropped_at_startup()
    {
        await using var host = new Infrastructure.BridgeFactory();
        host.Settings["Bridge:Admin:BootstrapWallets:0"] = "";
        host.Settings["Bridge:ForwardedHeaders:KnownProxies:0"] = " ";

        _ = host.CreateApiClient();

        var o = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BridgeOptions>>().Value;
        Assert.Empty(o.Admin.BootstrapWallets);
        Assert.Empty(o.ForwardedHeaders.KnownProxies);
    }

    [Fact]
    public async Task Blank_optional_client_settings_from_unset_variables_are_unset_at_startup()
    {
        await using var host = new Infrastructure.BridgeFactory();
        const string client = "Bridge:Clients:10:";
        host.Settings[client + "ClientId"] = "blank-settings";
        host.Settings[client + "ClientSecret"] = "blank-settings-secret-0123456789";
        host.Settings[client + "RedirectUris:0"] = "https://app.example/cb";
        host.Settings[client + "RedirectUris:1"] = "";
        foreach (var name in new[] { "ClientName", "TokenEndpointAuthMethod", "SectorIdentifier", "BackChannelLogoutUri", "FrontChannelLogoutUri", "RequiredNetwork", "SubjectType", "IdTokenSigningAlg", "Jwks" })
            host.Settings[client + name] = name == "SectorIdentifier" ? " " : "";

        _ = host.CreateApiClient(); // validated on start: blank values would be refused as malformed

        var o = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BridgeOptions>>().Value;
        var declared = Assert.Single(o.Clients, c => c.ClientId == "blank-settings");
        Assert.Null(declared.ClientName);
        Assert.Null(declared.TokenEndpointAuthMethod);
        Assert.Null(declared.SectorIdentifier);
        Assert.Null(declared.BackChannelLogoutUri);
        Assert.Null(declared.FrontChannelLogoutUri);
        Assert.Null(declared.RequiredNetwork);
        Assert.Equal(["https://app.example/cb"], declared.RedirectUris);
    }

    [Theory]
    [InlineData("Bridge:Database:Provider", "Maybe", "'Sqlite' or 'Postgres'")]
    [InlineData("Bridge:Database:Provider", "7", "'Sqlite' or 'Postgres'")]
    [InlineData("Bridge:Provisioning", "Maybe", "'AutoCreate' or 'AllowList'")]
    [InlineData("Bridge:Provisioning", "7", "'AutoCreate' or 'AllowList'")]
    [InlineData("Bridge:Provisioning", "", "'AutoCreate' or 'AllowList'")]
    [InlineData("Xumm:Payload:RegularKeySignatures", "Maybe", "'Accept' or 'Refuse'")]
    [InlineData("Xumm:Payload:RegularKeySignatures", "7", "'Accept' or 'Refuse'")]
    public async Task A_setting_with_a_fixed_set_of_values_refuses_another_naming_the_key_and_the_values(string key, string value, string values)
    {
        // The binder refuses a word with a message naming .NET types, and takes a number for a value that is none of
        // the choices: "7" would decide, unseen, whether a sign-in is refused or an account created.
        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => BuildProductionHostAsync(new() { [key] = value }));

        Assert.Equal($"{key} must be {values}, not '{value}'.", refused.Message);
    }

    [Theory]
    [InlineData("allowlist")]
    [InlineData(" AllowList ")]
    [InlineData("1")]
    public async Task A_setting_with_a_fixed_set_of_values_takes_what_it_took_before_in_any_letter_case(string value)
    {
        await using var app = await BuildProductionHostAsync(new() { ["Bridge:Provisioning"] = value });

        Assert.Equal(ProvisioningMode.AllowList, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BridgeOptions>>().Value.Provisioning);
    }

    private enum Shade { Light, Dark }

    private sealed class Palette
    {
        public Shade Default { get; set; }
        public List<Swatch> Swatches { get; set; } = [];
        public Dictionary<string, Shade> ByRoom { get; set; } = [];
    }

    private sealed class Swatch
    {
        public Shade? Shade { get; set; }
        public List<Shade> Others { get; set; } = [];
    }

    [Fact]
    public void Every_setting_with_a_fixed_set_of_values_is_found_in_nested_sections_and_lists_under_the_key_as_written()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Palette:Default"] = "dark",
            ["Palette:Swatches:0:Shade"] = "Light",
            ["Palette:Swatches:4:Shade"] = "Grey",
            ["Palette:Swatches:4:Others:2"] = "9",
            ["Palette:ByRoom:Hall"] = "Dim",
        }).Build();

        var problems = SettingChoices.Problems(configuration.GetSection("Palette"), typeof(Palette));

        Assert.Equal(
        [
            "Palette:Swatches:4:Shade must be 'Light' or 'Dark', not 'Grey'.",
            "Palette:Swatches:4:Others:2 must be 'Light' or 'Dark', not '9'.",
            "Palette:ByRoom:Hall must be 'Light' or 'Dark', not 'Dim'.",
        ], problems);
    }

    [Fact]
    public async Task A_declared_client_error_names_the_index_the_configuration_uses()
    {
        // The clients of appsettings.Development.json hold indexes 0 and 1; a variable declares index 10.
        await using var host = new Infrastructure.BridgeFactory();
        host.Settings["Bridge:Clients:10:ClientId"] = "gapped";
        host.Settings["Bridge:Clients:10:ClientSecret"] = "gapped-secret-0123456789abcdef";
        host.Settings["Bridge:Clients:10:RedirectUris:0"] = "https://app.example/cb#fragment";

        var refused = Assert.ThrowsAny<Exception>(() => host.CreateApiClient());
        var message = refused is Microsoft.Extensions.Options.OptionsValidationException ? refused.Message : refused.ToString();
        Assert.Contains("Bridge:Clients:10:RedirectUris:0", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hr-api")]
    [InlineData("https://hr.example.com/api#v1")]
    [InlineData("")]
    public async Task A_resource_that_no_request_could_name_is_refused_naming_the_key(string uri)
    {
        // The resource parameter must be an absolute URI without a fragment (RFC 8707 §2): a resource declared
        // otherwise could never be asked for, so every request for it would be refused with invalid_target.
        await using var app = await BuildProductionHostAsync(new() { ["Bridge:Resources:3:Uri"] = "https://api.example.com", ["Bridge:Resources:7:Uri"] = uri });

        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityBridge.Provider.ResourceOptions>>().Value);
        Assert.Contains("Bridge:Resources:7:Uri", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Bridge:Resources:3:Uri", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_path_that_is_a_file_or_cannot_be_created_is_refused_naming_the_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            var errors = BridgeErrors(new BridgeOptions { Issuer = "https://a.example", DataPath = file });
            Assert.Contains(errors, e => e.StartsWith("Bridge:DataPath must be a folder", StringComparison.Ordinal) && e.Contains("it is a file", StringComparison.Ordinal));
            var below = BridgeErrors(new BridgeOptions { Issuer = "https://a.example", DataPath = Path.Combine(file, "db") });
            Assert.Contains(below, e => e.StartsWith("Bridge:DataPath must be a folder", StringComparison.Ordinal));
            // With a connection string of its own the folder is not used.
            Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", DataPath = file, Database = { ConnectionString = "Data Source=x.db" } }));
        }
        finally
        {
            File.Delete(file);
        }
        var folder = Path.Combine(Path.GetTempPath(), "bridge-data-" + Guid.NewGuid().ToString("N"));
        Assert.Empty(BridgeErrors(new BridgeOptions { Issuer = "https://a.example", DataPath = folder }));
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
        Directory.Delete(folder);
    }

    [Fact]
    public async Task A_data_path_that_is_a_file_stops_startup_naming_the_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            await using var host = new Infrastructure.BridgeFactory();
            host.Settings["Bridge:Database:Provider"] = "Sqlite";
            host.Settings["Bridge:Database:ConnectionString"] = "";
            host.Settings["Bridge:DataPath"] = file;

            var ex = Assert.ThrowsAny<Exception>(() => host.CreateApiClient());

            var validation = ex;
            while (validation is not (null or Microsoft.Extensions.Options.OptionsValidationException)) validation = validation.InnerException;
            Assert.True(validation is not null, ex.ToString());
            Assert.Contains("Bridge:DataPath", validation.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("Strict")]
    [InlineData("issuer")]
    [InlineData("")]
    public async Task An_unknown_assertion_audience_stops_startup_naming_the_key_and_its_values(string value)
    {
        await using var host = new Infrastructure.BridgeFactory();
        host.Settings["Bridge:ClientAuthentication:AssertionAudience"] = value;

        var ex = Assert.ThrowsAny<Exception>(() => host.CreateApiClient());

        Assert.Contains($"Bridge:ClientAuthentication:AssertionAudience must be 'Issuer' or 'IssuerOrEndpoint', not '{value}'", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Issuer")]
    [InlineData("IssuerOrEndpoint")]
    public async Task Either_assertion_audience_starts(string value)
    {
        await using var host = new Infrastructure.BridgeFactory();
        host.Settings["Bridge:ClientAuthentication:AssertionAudience"] = value;

        _ = host.CreateApiClient();
    }

    [Fact]
    public async Task A_bad_key_schedule_stops_startup_naming_the_key()
    {
        await using var host = new Infrastructure.BridgeFactory();
        host.Settings["Bridge:Keys:RetentionTime"] = "00:10:00";

        var ex = Assert.ThrowsAny<Exception>(() => host.CreateApiClient());

        Assert.Contains("Bridge:Keys:RetentionTime", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_ciba_ping_client_is_declared_in_configuration_and_imported_with_its_notification_endpoint()
    {
        var client = ImportedClient("desk", new()
        {
            ["ClientSecret"] = "desk-secret",
            ["AllowedGrantTypes:0"] = "urn:openid:params:grant-type:ciba",
            ["BackchannelTokenDeliveryMode"] = "ping",
            ["BackchannelClientNotificationEndpoint"] = "https://desk.example/ciba/notify",
        });
        Assert.Equal("ping", client.BackchannelTokenDeliveryMode);
        Assert.Equal("https://desk.example/ciba/notify", client.BackchannelClientNotificationEndpoint);

        // Removed from configuration: the next import clears it (back to poll).
        IdentityBridge.Clients.ClientImporter.Apply(new ClientDefinition { ClientId = "desk", ClientSecret = "desk-secret" }, client, DateTimeOffset.UnixEpoch);
        Assert.Null(client.BackchannelTokenDeliveryMode);
        Assert.Null(client.BackchannelClientNotificationEndpoint);
    }

    [Theory]
    [InlineData("ping", null, "BackchannelClientNotificationEndpoint: is required for the ping delivery mode")]
    [InlineData("ping", "http://desk.example/notify", "BackchannelClientNotificationEndpoint: must use https")]
    [InlineData("ping", "https://desk.example/notify#x", "BackchannelClientNotificationEndpoint: must be an absolute URL without a fragment")]
    [InlineData("ping", "/notify", "BackchannelClientNotificationEndpoint: must ")]
    [InlineData("push", "https://desk.example/notify", "BackchannelTokenDeliveryMode: must be 'poll', 'ping' or omitted")]
    public void A_bad_ciba_delivery_declaration_names_the_key(string mode, string? endpoint, string expected)
    {
        var o = new BridgeOptions
        {
            Issuer = "https://a.example",
            Clients = [new ClientDefinition { ClientId = "desk", ClientSecret = "s", AllowedGrantTypes = [ClientRules.CibaGrantType], BackchannelTokenDeliveryMode = mode, BackchannelClientNotificationEndpoint = endpoint }],
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
            Clients = [new ClientDefinition { ClientId = "desk", ClientSecret = "s", AllowedGrantTypes = [ClientRules.CibaGrantType], BackchannelTokenDeliveryMode = mode, BackchannelClientNotificationEndpoint = endpoint }],
        }));

    private static BridgeOptions Declaring(ClientDefinition client) => new() { Issuer = "https://a.example", Clients = [client] };

    private static ClientDefinition Web() => new() { ClientId = "web", ClientSecret = "s", RedirectUris = ["https://app.example/cb"] };

    private static void AssertRefused(ClientDefinition client, string key, string? expected = null)
    {
        var errors = BridgeErrors(Declaring(client));
        Assert.Contains(errors, e => e.StartsWith("Bridge:Clients:0:" + key + ": ", StringComparison.Ordinal)
                                     && (expected is null || e.Contains(expected, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_declared_client_is_held_to_the_rules_of_a_registered_one() =>
        // The one that every check below changes is valid, as the admin API would accept it.
        Assert.Empty(BridgeErrors(Declaring(Web())));

    [Theory]
    [InlineData("sector.example", "must be an absolute URL")]
    [InlineData("https://sector.example/ids.json#frag", "must be an absolute URL without a fragment")]
    [InlineData("http://sector.example/ids.json", "must use https")]
    [InlineData("", "must be an absolute URL")]
    public void A_declared_sector_identifier_must_be_an_https_url(string sector, string expected)
    {
        var client = Web();
        client.SectorIdentifier = sector;
        AssertRefused(client, "SectorIdentifier", expected);
    }

    [Fact]
    public void A_declared_authorization_code_client_needs_a_redirect_uri()
    {
        var client = Web();
        client.RedirectUris = [];
        AssertRefused(client, "RedirectUris", "needs at least one redirect URI");

        // The default grants include authorization_code too; a client without it needs none.
        client.AllowedGrantTypes = ["client_credentials"];
        Assert.Empty(BridgeErrors(Declaring(client)));
    }

    [Fact]
    public void A_declared_client_has_at_most_fifty_redirect_and_post_logout_uris_each_listed_once()
    {
        var many = Enumerable.Range(0, 51).Select(i => $"https://app.example/cb/{i}").ToList();
        var client = Web();
        client.RedirectUris = many;
        client.PostLogoutRedirectUris = many;
        AssertRefused(client, "RedirectUris", "at most 50 entries");
        AssertRefused(client, "PostLogoutRedirectUris", "at most 50 entries");

        client = Web();
        client.RedirectUris = ["https://app.example/cb", "https://app.example/cb"];
        client.PostLogoutRedirectUris = ["https://app.example/", "https://app.example/"];
        AssertRefused(client, "RedirectUris:1", "is listed twice");
        AssertRefused(client, "PostLogoutRedirectUris:1", "is listed twice");

        client = Web();
        client.RedirectUris = ["https://app.example/" + new string('x', 2000)];
        AssertRefused(client, "RedirectUris:0", "longer than 2000 characters");
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("-leading-dash")]
    [InlineData("caf\u00e9")]
    public void A_declared_client_id_follows_the_registration_pattern(string id)
    {
        var client = Web();
        client.ClientId = System.Text.RegularExpressions.Regex.Unescape(id);
        AssertRefused(client, "ClientId", "must be 1 to 200 characters");
    }

    [Fact]
    public void A_declared_client_name_is_not_blank_or_too_long()
    {
        var client = Web();
        client.ClientName = " ";
        AssertRefused(client, "ClientName", "must be 1 to 200 characters");
        client.ClientName = new string('n', 201);
        AssertRefused(client, "ClientName", "must be 1 to 200 characters");
    }

    [Theory]
    [InlineData("confidential", "none", "for a confidential client")]
    [InlineData("confidential", "client_secret_jwt", "for a confidential client")]
    [InlineData("public", "client_secret_basic", "must be 'none' for a public client")]
    public void A_declared_token_endpoint_auth_method_fits_the_client_type(string type, string method, string expected)
    {
        var client = Web();
        client.ClientType = type;
        client.ClientSecret = type == "public" ? null : "s";
        client.TokenEndpointAuthMethod = method;
        AssertRefused(client, "TokenEndpointAuthMethod", expected);
    }

    [Fact]
    public void A_declared_public_client_cannot_turn_pkce_off()
    {
        var client = Web();
        client.ClientType = "public";
        client.ClientSecret = null;
        client.RequirePkce = false;
        AssertRefused(client, "RequirePkce", "public clients always use PKCE");
    }

    [Theory]
    [InlineData("logout.example/bc")]
    [InlineData("http://app.example/bc")]
    [InlineData("https://app.example/bc#frag")]
    public void A_declared_back_channel_logout_uri_must_be_an_https_url(string uri)
    {
        var client = Web();
        client.BackChannelLogoutUri = uri;
        AssertRefused(client, "BackChannelLogoutUri");
    }

    [Theory]
    [InlineData("logout.example/fc")]
    [InlineData("http://app.example/fc")]
    [InlineData("https://app.example/fc#frag")]
    public void A_declared_front_channel_logout_uri_must_be_an_https_url(string uri)
    {
        var client = Web();
        client.FrontChannelLogoutUri = uri;
        AssertRefused(client, "FrontChannelLogoutUri");
    }

    [Fact]
    public void A_declared_front_channel_logout_uri_is_imported_with_its_session_requirement()
    {
        var client = ImportedClient("web", new()
        {
            ["ClientSecret"] = "web-secret",
            ["RedirectUris:0"] = "https://app.example/cb",
            ["FrontChannelLogoutUri"] = "https://app.example/fc",
            ["FrontChannelLogoutSessionRequired"] = "true",
        });
        Assert.Equal("https://app.example/fc", client.FrontChannelLogoutUri);
        Assert.True(client.FrontChannelLogoutSessionRequired);

        // Removed from configuration: the next import clears them.
        IdentityBridge.Clients.ClientImporter.Apply(Web(), client, DateTimeOffset.UnixEpoch);
        Assert.Null(client.FrontChannelLogoutUri);
        Assert.False(client.FrontChannelLogoutSessionRequired);
    }

    [Fact]
    public void Declared_request_requirements_are_imported_and_signed_objects_need_a_jwks()
    {
        var client = ImportedClient("web", new()
        {
            ["ClientSecret"] = "web-secret",
            ["RedirectUris:0"] = "https://app.example/cb",
            ["Jwks"] = IdentityBridge.Tests.Provider.TestClients.JwtClientJwks(),
            ["RequirePushedAuthorizationRequests"] = "true",
            ["RequireSignedRequestObject"] = "true",
        });
        Assert.True(client.RequirePushedAuthorizationRequests);
        Assert.True(client.RequireSignedRequestObject);

        // Removed from configuration: the next import clears them.
        IdentityBridge.Clients.ClientImporter.Apply(Web(), client, DateTimeOffset.UnixEpoch);
        Assert.False(client.RequirePushedAuthorizationRequests);
        Assert.False(client.RequireSignedRequestObject);

        var withoutKeys = Web();
        withoutKeys.RequireSignedRequestObject = true;
        AssertRefused(withoutKeys, "RequireSignedRequestObject");
    }

    [Theory]
    [InlineData("mainnet")]
    [InlineData("MAIN NET")]
    [InlineData("")]
    public void A_declared_required_network_is_a_network_name(string network)
    {
        var client = Web();
        client.RequiredNetwork = network;
        AssertRefused(client, "RequiredNetwork", "must be a network name");
    }

    [Fact]
    public void A_declared_jwks_must_be_a_key_set_object()
    {
        var client = Web();
        client.TokenEndpointAuthMethod = "private_key_jwt";
        client.ClientSecret = null;
        client.Jwks = "[]";
        AssertRefused(client, "Jwks");
    }

    /// <summary>
    /// A host composed as the command line's, without the simulator, on a fresh test database, with
    /// <paramref name="extra"/> on top, not migrated: options are bound and validated when first read.
    /// </summary>
    private static Task<WebApplication> BuildProductionHostAsync(Dictionary<string, string?> extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bridge:Issuer"] = "https://login.example.com",
            ["Bridge:Database:Provider"] = Infrastructure.TestDatabase.Provider,
            ["Bridge:Database:ConnectionString"] = Infrastructure.TestDatabase.CreateDatabase(),
            ["Xumm:ApiKey"] = Infrastructure.BridgeFactory.XummApiKey,
            ["Xumm:ApiSecret"] = Infrastructure.BridgeFactory.XummApiSecret,
            ["Xumm:Simulator:Enabled"] = "false",
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return IdentityBridge.Cli.CliApp.BuildHostAsync(migrate: false, settings: settings);
    }

    /// <summary>
    /// A client declared in configuration under <c>Bridge:Clients:0</c> with <paramref name="settings"/> (keys relative to
    /// it), bound as the host binds it, accepted by the start-up validation, and imported into a new client row.
    /// </summary>
    private static IdentityBridge.Storage.Entities.Client ImportedClient(string clientId, Dictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?> { ["Bridge:Issuer"] = "https://a.example", ["Bridge:Clients:0:ClientId"] = clientId };
        foreach (var (key, value) in settings) values["Bridge:Clients:0:" + key] = value;
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var o = new BridgeOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection("Bridge"), o);
        Assert.Empty(BridgeErrors(o));
        var client = new IdentityBridge.Storage.Entities.Client { ClientId = clientId, ClientName = clientId };
        IdentityBridge.Clients.ClientImporter.Apply(o.Clients[0], client, DateTimeOffset.UnixEpoch);
        return client;
    }
}
