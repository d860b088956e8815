using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using IdentityBridge.Clients;
using IdentityBridge.Storage.Entities;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Configuration;

/// <summary>Startup validation of <c>Bridge</c>: every failure names the key and what it expects.</summary>
internal sealed class BridgeOptionsValidator(IHostEnvironment environment, IConfiguration? configuration = null) : IValidateOptions<BridgeOptions>
{
    public ValidateOptionsResult Validate(string? name, BridgeOptions o)
    {
        var errors = new List<string>();
        ValidateIssuer(o.Issuer, environment, errors);

        if (o.Database.Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(o.Database.ConnectionString))
            errors.Add("Bridge:Database:ConnectionString is required when Bridge:Database:Provider is Postgres (e.g. 'Host=db;Database=bridge;Username=bridge;Password=...').");

        if (o.Database.Provider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(o.Database.ConnectionString) &&
            DataPathProblem(o.DataPath, environment.ContentRootPath) is { } dataPathProblem)
            errors.Add($"Bridge:DataPath must be a folder the bridge can create and write (its SQLite database goes there), not '{o.DataPath}': {dataPathProblem}.");

        if (o.SignInMethod is not (SignInMethods.XummOidc or SignInMethods.XummPayload))
            errors.Add($"Bridge:SignInMethod must be '{SignInMethods.XummOidc}' or '{SignInMethods.XummPayload}', not '{o.SignInMethod}'.");

        if (o.ClientAuthentication.AssertionAudience is not (AssertionAudiences.Issuer or AssertionAudiences.IssuerOrEndpoint))
            errors.Add($"Bridge:ClientAuthentication:AssertionAudience must be '{AssertionAudiences.Issuer}' or '{AssertionAudiences.IssuerOrEndpoint}', not '{o.ClientAuthentication.AssertionAudience}'.");

        // RFC 9126 §2.2: the lifetime of a request_uri is short, and is answered as expires_in, a whole number of
        // seconds: a fraction would be answered cut off, and less than a second as 0, a request_uri already expired.
        var pushLifetime = o.PushedAuthorization.Lifetime;
        if (pushLifetime < PushedAuthorizationOptions.MinLifetime || pushLifetime > PushedAuthorizationOptions.MaxLifetime || pushLifetime.Ticks % TimeSpan.TicksPerSecond != 0)
            errors.Add($"Bridge:PushedAuthorization:Lifetime must be whole seconds from {PushedAuthorizationOptions.MinLifetime} to {PushedAuthorizationOptions.MaxLifetime} (e.g. 00:01:00), not {pushLifetime}.");

        if (o.Keys.DefaultAlgorithm is not ("RS256" or "ES256"))
            errors.Add($"Bridge:Keys:DefaultAlgorithm must be RS256 or ES256, not '{o.Keys.DefaultAlgorithm}'.");

        ValidateKeySchedule(o.Keys, errors);
        if (Storage.KeyRingCertificates.Problem(o.KeyRing, environment.ContentRootPath) is { } keyRingProblem)
            errors.Add($"Bridge:KeyRing: {keyRingProblem}.");

        if (o.RateLimits.PermitsPerMinute < 1)
            errors.Add($"Bridge:RateLimits:PermitsPerMinute must be at least 1, not {o.RateLimits.PermitsPerMinute}.");
        if (o.RateLimits.PermitsPerMinutePerClient < 1)
            errors.Add($"Bridge:RateLimits:PermitsPerMinutePerClient must be at least 1, not {o.RateLimits.PermitsPerMinutePerClient}.");
        if (o.RateLimits.SignInsPerMinute < 1)
            errors.Add($"Bridge:RateLimits:SignInsPerMinute must be at least 1, not {o.RateLimits.SignInsPerMinute}.");
        if (o.RateLimits.PushesPerWalletPerHour < 1)
            errors.Add($"Bridge:RateLimits:PushesPerWalletPerHour must be at least 1, not {o.RateLimits.PushesPerWalletPerHour}.");
        if (o.RateLimits.BrowserPayloadsPerMinute < 1)
            errors.Add($"Bridge:RateLimits:BrowserPayloadsPerMinute must be at least 1, not {o.RateLimits.BrowserPayloadsPerMinute}.");

        // A session that has expired when it is created (its end is now + Lifetime) signs nobody in.
        if (o.Session.Lifetime <= TimeSpan.Zero)
            errors.Add($"Bridge:Session:Lifetime must be positive (e.g. 10:00:00), not {o.Session.Lifetime}.");

        if (o.Notifications.Retries is < 0 or > NotificationOptions.MaxRetries)
            errors.Add($"Bridge:Notifications:Retries must be from 0 (send once) to {NotificationOptions.MaxRetries}, not {o.Notifications.Retries}.");
        if (o.Notifications.RetryDelay < TimeSpan.Zero || o.Notifications.RetryDelay > NotificationOptions.MaxRetryAfter)
            errors.Add($"Bridge:Notifications:RetryDelay must be from 00:00:00 to {NotificationOptions.MaxRetryAfter}, not {o.Notifications.RetryDelay}.");

        if (o.Audit.RetentionDays is < 0 or > AuditOptions.MaxRetentionDays)
            errors.Add($"Bridge:Audit:RetentionDays must be from 0 (keep every event) to {AuditOptions.MaxRetentionDays} days, not {o.Audit.RetentionDays}.");

        foreach (var proxy in o.ForwardedHeaders.KnownProxies.Where(p => !string.IsNullOrWhiteSpace(p)))
            if (!System.Net.IPAddress.TryParse(proxy.Trim(), out _))
                errors.Add($"Bridge:ForwardedHeaders:KnownProxies contains '{proxy}', which is not an IP address (e.g. 10.0.0.5).");
        foreach (var network in o.ForwardedHeaders.KnownNetworks.Where(n => !string.IsNullOrWhiteSpace(n)))
            if (!System.Net.IPNetwork.TryParse(network.Trim(), out _))
                errors.Add($"Bridge:ForwardedHeaders:KnownNetworks contains '{network}', which is not a network in CIDR notation (e.g. 10.0.0.0/8).");

        foreach (var wallet in o.Admin.BootstrapWallets.Where(w => !string.IsNullOrWhiteSpace(w)))
            if (!Xumm.XrplAddress.IsValid(wallet))
                errors.Add($"Bridge:Admin:BootstrapWallets contains '{wallet}', which is not a valid XRPL r-address.");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var clientKeys = DeclaredClientKeys(o.Clients.Count);
        for (var i = 0; i < o.Clients.Count; i++)
            ValidateClient($"Bridge:Clients:{clientKeys[i]}", o.Clients[i], seen, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The longest token the bridge issues lives 1 h (access and ID tokens are capped at 3600 s).</summary>
    internal static readonly TimeSpan LongestTokenLifetime = TimeSpan.FromHours(1);

    private static void ValidateKeySchedule(KeyOptions keys, List<string> errors)
    {
        if (keys.RotationInterval <= TimeSpan.Zero)
            errors.Add($"Bridge:Keys:RotationInterval must be positive (e.g. 90.00:00:00), not {keys.RotationInterval}.");
        if (keys.PropagationTime <= TimeSpan.Zero)
            errors.Add($"Bridge:Keys:PropagationTime must be positive (e.g. 2.00:00:00), not {keys.PropagationTime}.");
        if (keys.RetentionTime < LongestTokenLifetime)
            errors.Add($"Bridge:Keys:RetentionTime must be at least {LongestTokenLifetime} (the longest token lifetime), so tokens signed by a retired key stay verifiable; not {keys.RetentionTime}.");
    }

    /// <summary>
    /// Why the embedded database's folder cannot be used, or null. The folder is created when missing
    /// (startup would create it next anyway), and a file is created in it and deleted to prove it is writable.
    /// </summary>
    internal static string? DataPathProblem(string dataPath, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(dataPath)) return "it is empty";
        try
        {
            var folder = Path.GetFullPath(Path.Combine(contentRoot, dataPath));
            if (File.Exists(folder)) return "it is a file";
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-check-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ex is UnauthorizedAccessException ? "permission denied" : ex.Message;
        }
    }

    internal static void ValidateIssuer(string issuer, IHostEnvironment environment, List<string> errors)
    {
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri))
        {
            errors.Add($"Bridge:Issuer must be an absolute URL such as https://login.example.com, not '{issuer}'.");
            return;
        }
        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            errors.Add($"Bridge:Issuer must use https (http is allowed only for localhost), not '{issuer}'.");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            errors.Add("Bridge:Issuer must not have a query or fragment.");
        if (issuer.EndsWith('/'))
            errors.Add($"Bridge:Issuer must not end with '/': use '{issuer.TrimEnd('/')}'.");
        _ = environment;
    }

    /// <summary>
    /// The configuration key of each declared client, in the order the list was bound: the binder numbers the
    /// list from 0, while a declaration may use any index (environment variables often leave gaps, such as
    /// <c>Bridge__Clients__20__</c> next to the two clients of a settings file), and an error must name the key
    /// the operator wrote. Positions when the configuration is not at hand or does not match the list.
    /// </summary>
    private string[] DeclaredClientKeys(int count)
    {
        var keys = configuration?.GetSection("Bridge:Clients").GetChildren().Select(c => c.Key).ToArray();
        return keys is not null && keys.Length == count ? keys : [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// A declared client must satisfy what a registered one does: it is checked by <see cref="ClientRules.Validate"/>,
    /// on the settings the import will store (<see cref="ClientImporter.Apply"/>), and each error names the key to fix.
    /// Only the secret is checked here, as configuration declares it and registration generates it.
    /// </summary>
    private static void ValidateClient(string key, ClientDefinition c, HashSet<string> seen, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(c.ClientId))
        {
            errors.Add($"{key}:ClientId is required.");
            return;
        }
        if (!seen.Add(c.ClientId))
            errors.Add($"{key}:ClientId '{c.ClientId}' is declared twice.");
        if (c.ClientType == ClientTypes.Confidential && string.IsNullOrEmpty(c.ClientSecret) && c.TokenEndpointAuthMethod != "private_key_jwt")
            errors.Add($"{key}:ClientSecret is required for a confidential client (or set TokenEndpointAuthMethod to private_key_jwt with Jwks).");
        if (c.ClientType == ClientTypes.Public && !string.IsNullOrEmpty(c.ClientSecret))
            errors.Add($"{key}:ClientSecret must be empty for a public client.");

        System.Text.Json.JsonElement? jwks = null;
        if (!string.IsNullOrWhiteSpace(c.Jwks))
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(c.Jwks);
                jwks = document.RootElement.Clone();
            }
            catch (System.Text.Json.JsonException)
            {
                errors.Add($"{key}:Jwks: must be a JWK Set in JSON ({{\"keys\":[...]}}): {ClientJwks.Problem(c.Jwks)?.TrimEnd('.')}.");
            }
        }
        var input = new ClientInput
        {
            ClientId = c.ClientId,
            ClientName = c.ClientName,
            ClientType = c.ClientType,
            RedirectUris = c.RedirectUris,
            PostLogoutRedirectUris = c.PostLogoutRedirectUris,
            AllowedScopes = [.. c.EffectiveScopes],
            AllowedGrantTypes = [.. c.EffectiveGrantTypes],
            TokenEndpointAuthMethod = c.TokenEndpointAuthMethod,
            // Checked above when it is not JSON; blank is no key set, as the import stores none.
            Jwks = jwks,
            RequirePkce = c.RequirePkce,
            RequireConsent = c.RequireConsent,
            AccessTokenLifetime = c.AccessTokenLifetime,
            IdTokenSigningAlg = c.IdTokenSigningAlg,
            SubjectType = c.SubjectType,
            SectorIdentifier = c.SectorIdentifier,
            BackChannelLogoutUri = c.BackChannelLogoutUri,
            FrontChannelLogoutUri = c.FrontChannelLogoutUri,
            FrontChannelLogoutSessionRequired = c.FrontChannelLogoutSessionRequired,
            RequirePushedAuthorizationRequests = c.RequirePushedAuthorizationRequests,
            RequireSignedRequestObject = c.RequireSignedRequestObject,
            RequiredNetwork = c.RequiredNetwork,
            Provisioning = c.Provisioning,
            SignInMethod = c.SignInMethod,
            // The import stores an empty delivery mode or endpoint as none.
            BackchannelTokenDeliveryMode = string.IsNullOrEmpty(c.BackchannelTokenDeliveryMode) ? null : c.BackchannelTokenDeliveryMode,
            BackchannelClientNotificationEndpoint = string.IsNullOrEmpty(c.BackchannelClientNotificationEndpoint) ? null : c.BackchannelClientNotificationEndpoint,
        };
        var problems = new FieldErrors();
        ClientRules.Validate(input, problems);
        foreach (var (field, messages) in problems.ToDictionary())
            foreach (var message in messages)
                errors.Add($"{key}:{ConfigurationKeyOf(field)}: {message.TrimEnd('.')}.");
    }

    /// <summary>
    /// The configuration key of a <see cref="ClientInput"/> field as <see cref="ClientRules"/> names it:
    /// <c>redirectUris[3]</c> is <c>RedirectUris:3</c> (the properties of <see cref="ClientDefinition"/> bear the same names).
    /// </summary>
    internal static string ConfigurationKeyOf(string field)
    {
        var name = char.ToUpperInvariant(field[0]) + field[1..];
        return name.Replace('[', ':').Replace("]", "", StringComparison.Ordinal);
    }
}

/// <summary>Startup validation of <c>Xumm</c>.</summary>
internal sealed class XummOptionsValidator(IHostEnvironment environment) : IValidateOptions<XummOptions>
{
    public ValidateOptionsResult Validate(string? name, XummOptions o)
    {
        var errors = new List<string>();
        if (environment.IsProduction() && o.Simulator.Enabled)
            errors.Add("Xumm:Simulator:Enabled must be false in Production: the simulator approves sign-ins without a wallet.");
        if (!o.Simulator.Enabled)
        {
            if (string.IsNullOrWhiteSpace(o.ApiKey))
                errors.Add("Xumm:ApiKey is required: the API Key of your application in the Xumm developer console.");
            if (string.IsNullOrWhiteSpace(o.ApiSecret))
                errors.Add("Xumm:ApiSecret is required: the API Secret of your application (server side only).");
            if (!Uri.TryCreate(o.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && !authority.IsLoopback))
                errors.Add($"Xumm:Authority must be an absolute https URL, not '{o.Authority}'.");
            if (!Uri.TryCreate(o.ApiBaseUrl, UriKind.Absolute, out var api) || (api.Scheme != Uri.UriSchemeHttps && !api.IsLoopback))
                errors.Add($"Xumm:ApiBaseUrl must be an absolute https URL, not '{o.ApiBaseUrl}'.");
        }
        if (o.Simulator.AutoApprove is { Length: > 0 } auto && !Xumm.XrplAddress.IsValid(auto))
            errors.Add($"Xumm:Simulator:AutoApprove must be a valid XRPL r-address, not '{auto}'.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
