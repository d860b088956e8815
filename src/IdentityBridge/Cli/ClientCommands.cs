using System.CommandLine;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Cli;

/// <summary><c>clients list|add|update|remove|rotate-secret</c>.</summary>
internal static class ClientCommands
{
    private const string Actor = "cli";

    public static Command Build(CliContext context)
    {
        var clients = new Command("clients", "Registered applications (clients).");
        clients.Subcommands.Add(List(context));
        clients.Subcommands.Add(Add(context));
        clients.Subcommands.Add(Update(context));
        clients.Subcommands.Add(Remove(context));
        clients.Subcommands.Add(RotateSecret(context));
        return clients;
    }

    private static Command List(CliContext context)
    {
        var search = new Option<string?>("--search") { Description = "Only clients whose id or name contains this text." };
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List clients.") { search, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var service = services.GetRequiredService<ClientAdminService>();
            var all = new List<ClientView>();
            for (var page = 1; ; page++)
            {
                var result = await service.ListAsync(new PageRequest(page, PageRequest.MaxPageSize), parse.GetValue(search), ct: token);
                all.AddRange(result.Items);
                if (page >= result.TotalPages) break;
            }
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, all);
            return await CliOutput.WriteTableAsync(context, ["CLIENT ID", "NAME", "TYPE", "ENABLED", "REDIRECT URIS"],
                all.Select(c => new[] { c.ClientId, c.ClientName, c.ClientType, c.Enabled == true ? "yes" : "no", string.Join(" ", c.RedirectUris ?? []) }));
        }, ct));
        return command;
    }

    /// <summary>The options shared by add and update; each maps to one <see cref="ClientInput"/> field.</summary>
    private sealed class Settings
    {
        public Option<string?> Name { get; } = new("--name") { Description = "Display name." };
        public Option<string?> Description { get; } = new("--description") { Description = "What the client is." };
        public Option<string?> Type { get; } = new("--type") { Description = "confidential (default) or public." };
        public Option<string[]> RedirectUris { get; } = Many("--redirect-uri", "Redirect URI (repeat for several).");
        public Option<string[]> PostLogoutUris { get; } = Many("--post-logout-redirect-uri", "Post-logout redirect URI (repeat for several).");
        public Option<string[]> Scopes { get; } = Many("--scope", "Allowed scope (repeat for several).");
        public Option<string[]> Grants { get; } = Many("--grant", "Allowed grant type (repeat for several).");
        public Option<string?> AuthMethod { get; } = new("--auth-method") { Description = "client_secret_basic, client_secret_post, private_key_jwt or none." };
        public Option<bool?> RequireConsent { get; } = new("--require-consent") { Description = "Show the consent page (third-party clients)." };
        public Option<int?> AccessTokenLifetime { get; } = new("--access-token-lifetime") { Description = "Seconds, 300 to 3600." };
        public Option<string?> BackChannelLogoutUri { get; } = new("--back-channel-logout-uri") { Description = "Back-channel logout URL." };
        public Option<string?> FrontChannelLogoutUri { get; } = new("--front-channel-logout-uri") { Description = "Front-channel logout URL." };
        public Option<bool?> FrontChannelLogoutSessionRequired { get; } = new("--front-channel-logout-session-required") { Description = "The front-channel logout URL needs iss and sid (true or false)." };
        public Option<bool?> RequirePushedAuthorizationRequests { get; } = new("--require-pushed-authorization-requests") { Description = "Authorization requests only through the PAR endpoint (true or false)." };
        public Option<bool?> RequireSignedRequestObject { get; } = new("--require-signed-request-object") { Description = "Authorization requests only as signed request objects; needs a JWKS (true or false)." };
        public Option<string?> RequiredNetwork { get; } = new("--required-network") { Description = "MAINNET, TESTNET, ... (any when omitted)." };
        public Option<string?> Provisioning { get; } = new("--provisioning") { Description = "AutoCreate or AllowList (deployment default when omitted)." };
        public Option<string?> SignInMethod { get; } = new("--sign-in-method") { Description = "xumm-oidc or xumm-payload (deployment default when omitted)." };
        public Option<bool?> Enabled { get; } = new("--enabled") { Description = "true or false." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Name, Description, Type, RedirectUris, PostLogoutUris, Scopes, Grants, AuthMethod, RequireConsent,
                         AccessTokenLifetime, BackChannelLogoutUri, FrontChannelLogoutUri, FrontChannelLogoutSessionRequired,
                         RequirePushedAuthorizationRequests, RequireSignedRequestObject, RequiredNetwork, Provisioning, SignInMethod, Enabled })
                command.Options.Add(option);
        }

        /// <summary>Overlays the options given on the command line onto <paramref name="input"/>.</summary>
        public void Apply(ParseResult parse, ClientInput input)
        {
            if (parse.GetResult(Name) is not null) input.ClientName = parse.GetValue(Name);
            if (parse.GetResult(Description) is not null) input.Description = parse.GetValue(Description);
            if (parse.GetResult(Type) is not null)
            {
                input.ClientType = parse.GetValue(Type);
                if (parse.GetResult(AuthMethod) is null) input.TokenEndpointAuthMethod = null;
                if (input.ClientType == "public") input.RequirePkce = true;
            }
            if (parse.GetResult(RedirectUris) is not null) input.RedirectUris = [.. parse.GetValue(RedirectUris) ?? []];
            if (parse.GetResult(PostLogoutUris) is not null) input.PostLogoutRedirectUris = [.. parse.GetValue(PostLogoutUris) ?? []];
            if (parse.GetResult(Scopes) is not null) input.AllowedScopes = [.. parse.GetValue(Scopes) ?? []];
            if (parse.GetResult(Grants) is not null) input.AllowedGrantTypes = [.. parse.GetValue(Grants) ?? []];
            if (parse.GetResult(AuthMethod) is not null) input.TokenEndpointAuthMethod = parse.GetValue(AuthMethod);
            if (parse.GetResult(RequireConsent) is not null) input.RequireConsent = parse.GetValue(RequireConsent);
            if (parse.GetResult(AccessTokenLifetime) is not null) input.AccessTokenLifetime = parse.GetValue(AccessTokenLifetime);
            if (parse.GetResult(BackChannelLogoutUri) is not null) input.BackChannelLogoutUri = parse.GetValue(BackChannelLogoutUri);
            if (parse.GetResult(FrontChannelLogoutUri) is not null) input.FrontChannelLogoutUri = parse.GetValue(FrontChannelLogoutUri);
            if (parse.GetResult(FrontChannelLogoutSessionRequired) is not null) input.FrontChannelLogoutSessionRequired = parse.GetValue(FrontChannelLogoutSessionRequired);
            if (parse.GetResult(RequirePushedAuthorizationRequests) is not null) input.RequirePushedAuthorizationRequests = parse.GetValue(RequirePushedAuthorizationRequests);
            if (parse.GetResult(RequireSignedRequestObject) is not null) input.RequireSignedRequestObject = parse.GetValue(RequireSignedRequestObject);
            if (parse.GetResult(RequiredNetwork) is not null) input.RequiredNetwork = parse.GetValue(RequiredNetwork);
            if (parse.GetResult(Provisioning) is not null) input.Provisioning = parse.GetValue(Provisioning);
            if (parse.GetResult(SignInMethod) is not null) input.SignInMethod = parse.GetValue(SignInMethod);
            if (parse.GetResult(Enabled) is not null) input.Enabled = parse.GetValue(Enabled);
        }

        private static Option<string[]> Many(string name, string description) =>
            new(name) { Description = description, AllowMultipleArgumentsPerToken = true };
    }

    private static Command Add(CliContext context)
    {
        var id = new Argument<string>("client-id") { Description = "The client_id (letters, digits, '.', '_', ':', '-')." };
        var settings = new Settings();
        var json = CliOutput.JsonOption();
        var command = new Command("add", "Register a client; a confidential client's secret is printed once.") { id, json };
        settings.AddTo(command);
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var input = new ClientInput { ClientId = parse.GetValue(id) };
            settings.Apply(parse, input);
            var result = await services.GetRequiredService<ClientAdminService>().CreateAsync(input, Actor, token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            var created = result.Value!;
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, created);
            await context.Output.WriteLineAsync($"Client '{created.Client.ClientId}' registered.");
            if (created.ClientSecret is { } secret)
            {
                await context.Output.WriteLineAsync($"Client secret: {secret}");
                await context.Output.WriteLineAsync("Store it now: it is not shown again.");
            }
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command Update(CliContext context)
    {
        var id = new Argument<string>("client-id") { Description = "The client to change." };
        var settings = new Settings();
        var json = CliOutput.JsonOption();
        var command = new Command("update",
            "Change the given settings of a client; the others stay as they are. A client moved onto a secret method without a secret gets one, printed once.") { id, json };
        settings.AddTo(command);
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var service = services.GetRequiredService<ClientAdminService>();
            var current = await service.GetAsync(parse.GetValue(id)!, token);
            if (!current.Ok) return await CliOutput.FailAsync(context, current.Error!);
            var input = Copy(current.Value!);
            settings.Apply(parse, input);
            var result = await service.UpdateAsync(input.ClientId!, input, Actor, ct: token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            var updated = result.Value!;
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, updated.ToJson(CliOutput.Json));
            await context.Output.WriteLineAsync($"Client '{input.ClientId}' updated.");
            if (updated.ClientSecret is { } secret)
            {
                await context.Output.WriteLineAsync($"Client secret: {secret}");
                await context.Output.WriteLineAsync("Store it now: it is not shown again.");
            }
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var id = new Argument<string>("client-id") { Description = "The client to delete." };
        var command = new Command("remove", "Delete a client; its refresh tokens are revoked.") { id };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var result = await services.GetRequiredService<ClientAdminService>().DeleteAsync(parse.GetValue(id)!, Actor, ct: token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            await context.Output.WriteLineAsync($"Client '{parse.GetValue(id)}' removed.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command RotateSecret(CliContext context)
    {
        var id = new Argument<string>("client-id") { Description = "The client whose secret to rotate." };
        var overlap = new Option<int?>("--overlap") { Description = "Seconds the previous secrets stay valid (default 86400)." };
        var json = CliOutput.JsonOption();
        var command = new Command("rotate-secret", "Issue a new client secret (printed once); the previous ones expire after the overlap.") { id, overlap, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var result = await services.GetRequiredService<ClientAdminService>().RotateSecretAsync(parse.GetValue(id)!, parse.GetValue(overlap), Actor, ct: token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            var rotated = result.Value!;
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, rotated);
            await context.Output.WriteLineAsync($"New client secret for '{rotated.ClientId}': {rotated.ClientSecret}");
            await context.Output.WriteLineAsync(rotated.PreviousSecretsExpireAt is { } until
                ? $"The previous secret stays valid until {CliOutput.When(until)}."
                : "There was no previous secret.");
            await context.Output.WriteLineAsync("Store it now: it is not shown again.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static ClientInput Copy(ClientView view)
    {
        var json = System.Text.Json.JsonSerializer.Serialize<ClientInput>(view, CliOutput.Json);
        return System.Text.Json.JsonSerializer.Deserialize<ClientInput>(json, CliOutput.Json)!;
    }
}
