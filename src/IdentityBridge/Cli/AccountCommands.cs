using System.CommandLine;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;

namespace IdentityBridge.Cli;

/// <summary><c>accounts list|add|link-wallet|unlink-wallet|disable|enable|enrol|unenrol|grant-role|revoke-role</c>.</summary>
internal static class AccountCommands
{
    private const string Actor = "cli";

    public static Command Build(CliContext context)
    {
        var accounts = new Command("accounts", "Local accounts, their wallets and roles. An account is named by its id or by a linked wallet's r-address.");
        accounts.Subcommands.Add(List(context));
        accounts.Subcommands.Add(Add(context));
        accounts.Subcommands.Add(WalletCommand(context, link: true));
        accounts.Subcommands.Add(WalletCommand(context, link: false));
        accounts.Subcommands.Add(StatusCommand(context, enable: false));
        accounts.Subcommands.Add(StatusCommand(context, enable: true));
        accounts.Subcommands.Add(EnrolmentCommand(context, enrol: true));
        accounts.Subcommands.Add(EnrolmentCommand(context, enrol: false));
        accounts.Subcommands.Add(RoleCommand(context, grant: true));
        accounts.Subcommands.Add(RoleCommand(context, grant: false));
        return accounts;
    }

    private static Command List(CliContext context)
    {
        var search = new Option<string?>("--search") { Description = "Id, name, email or r-address contains this text." };
        var role = new Option<string?>("--role") { Description = "Only accounts holding this role." };
        var json = CliOutput.JsonOption();
        var command = new Command("list", "List accounts, newest first.") { search, role, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var service = services.GetRequiredService<AccountAdminService>();
            var query = new AccountQuery(Q: parse.GetValue(search), Role: parse.GetValue(role));
            var all = new List<AccountView>();
            for (var page = 1; ; page++)
            {
                var result = await service.SearchAsync(query, new PageRequest(page, PageRequest.MaxPageSize), token);
                all.AddRange(result.Items);
                if (page >= result.TotalPages) break;
            }
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, all);
            return await CliOutput.WriteTableAsync(context, ["ACCOUNT ID", "NAME", "STATUS", "ENROLLED", "ROLES", "WALLETS"],
                all.Select(a => new[]
                {
                    a.Id, a.DisplayName, a.Enabled ? "active" : "disabled", a.Enrolled ? "yes" : "no",
                    string.Join(",", a.Roles), string.Join(" ", a.Wallets.Select(w => w.Address)),
                }));
        }, ct));
        return command;
    }

    private static Command Add(CliContext context)
    {
        var name = new Option<string?>("--name") { Description = "Display name." };
        var email = new Option<string?>("--email") { Description = "Email address." };
        var wallets = new Option<string[]>("--wallet") { Description = "r-address to link (repeat for several).", AllowMultipleArgumentsPerToken = true };
        var roles = new Option<string[]>("--role") { Description = "Role to grant (repeat for several).", AllowMultipleArgumentsPerToken = true };
        var json = CliOutput.JsonOption();
        var command = new Command("add", "Create an account (enrol wallets ahead of their first sign-in).") { name, email, wallets, roles, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var input = new AccountInput
            {
                DisplayName = parse.GetValue(name),
                Email = parse.GetValue(email),
                Wallets = [.. parse.GetValue(wallets) ?? []],
                Roles = [.. parse.GetValue(roles) ?? []],
            };
            var result = await services.GetRequiredService<AccountAdminService>().CreateAsync(input, Actor, token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, result.Value);
            await context.Output.WriteLineAsync($"Account {result.Value!.Id} created.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command WalletCommand(CliContext context, bool link)
    {
        var account = AccountArgument();
        var address = new Argument<string>("address") { Description = "The wallet's r-address." };
        var network = new Option<string?>("--network") { Description = "MAINNET, TESTNET, ... (optional)." };
        var json = CliOutput.JsonOption();
        var command = link
            ? new Command("link-wallet", "Link a wallet to an account.") { account, address, network, json }
            : new Command("unlink-wallet", "Unlink a wallet; sessions signed in with it end.") { account, address, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var service = services.GetRequiredService<AccountAdminService>();
            if (await ResolveAsync(context, service, parse.GetValue(account)!, token) is not { } id) return CliOutput.Refused;
            var wallet = parse.GetValue(address)!;
            var result = link
                ? await service.LinkWalletAsync(id, wallet, parse.GetValue(network), Actor, ct: token)
                : await service.UnlinkWalletAsync(id, wallet, Actor, ct: token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, result.Value);
            await context.Output.WriteLineAsync(link ? $"Wallet {wallet} linked to account {id}." : $"Wallet {wallet} unlinked from account {id}.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command StatusCommand(CliContext context, bool enable) => enable
        ? AccountChange(context, "enable", "Enable an account.",
            (service, id, ct) => service.SetEnabledAsync(id, true, Actor, ct), (id, _) => $"Account {id} enabled.")
        : AccountChange(context, "disable", "Disable an account: its sessions end and its refresh tokens are revoked.",
            (service, id, ct) => service.SetEnabledAsync(id, false, Actor, ct),
            (id, changed) => $"Account {id} disabled: {changed.SessionsEnded} session(s) ended, {changed.RefreshTokensRevoked} refresh token(s) revoked.");

    private static Command EnrolmentCommand(CliContext context, bool enrol) => enrol
        ? AccountChange(context, "enrol", "Enrol an account: clients under AllowList provisioning admit it.",
            (service, id, ct) => service.SetEnrolledAsync(id, true, Actor, ct), (id, _) => $"Account {id} enrolled.")
        : AccountChange(context, "unenrol", "Withdraw an account's enrolment: AllowList clients refuse its sign-ins, codes and refresh tokens.",
            (service, id, ct) => service.SetEnrolledAsync(id, false, Actor, ct), (id, _) => $"Account {id} no longer enrolled.");

    /// <summary>A command that changes one account (named by id or r-address) and says what changed, or prints it as JSON.</summary>
    private static Command AccountChange<T>(CliContext context, string name, string description,
        Func<AccountAdminService, string, CancellationToken, Task<AdminResult<T>>> change, Func<string, T, string> done)
    {
        var account = AccountArgument();
        var json = CliOutput.JsonOption();
        var command = new Command(name, description) { account, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var service = services.GetRequiredService<AccountAdminService>();
            if (await ResolveAsync(context, service, parse.GetValue(account)!, token) is not { } id) return CliOutput.Refused;
            var result = await change(service, id, token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, result.Value);
            await context.Output.WriteLineAsync(done(id, result.Value!));
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Command RoleCommand(CliContext context, bool grant)
    {
        var account = AccountArgument();
        var role = new Argument<string>("role") { Description = "The role, e.g. bridge-admin." };
        var json = CliOutput.JsonOption();
        var command = grant
            ? new Command("grant-role", "Grant a role to an account.") { account, role, json }
            : new Command("revoke-role", "Revoke a role from an account.") { account, role, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(context, async (services, token) =>
        {
            var service = services.GetRequiredService<AccountAdminService>();
            if (await ResolveAsync(context, service, parse.GetValue(account)!, token) is not { } id) return CliOutput.Refused;
            var name = parse.GetValue(role)!;
            var result = grant ? await service.GrantRoleAsync(id, name, Actor, ct: token) : await service.RevokeRoleAsync(id, name, Actor, ct: token);
            if (!result.Ok) return await CliOutput.FailAsync(context, result.Error!);
            if (parse.GetValue(json)) return await CliOutput.WriteJsonAsync(context, result.Value);
            await context.Output.WriteLineAsync(grant ? $"Role {name} granted to account {id}." : $"Role {name} revoked from account {id}.");
            return CliOutput.Ok;
        }, ct));
        return command;
    }

    private static Argument<string> AccountArgument() => new("account") { Description = "Account id, or the r-address of one of its wallets." };

    private static async Task<string?> ResolveAsync(CliContext context, AccountAdminService service, string idOrAddress, CancellationToken ct)
    {
        var id = await service.ResolveIdAsync(idOrAddress, ct);
        if (id is null) await CliOutput.FailAsync(context, AdminError.NotFound("Account", idOrAddress));
        return id;
    }
}
