using Microsoft.Playwright;

namespace IdentityBridge.EndToEnd.Admin;

/// <summary>
/// Drives the real console in Chromium: an admin signs in with a bootstrap wallet through /login and the
/// Xumm simulator, registers a client, rotates its secret, links a wallet, disables an account, and finds
/// all of it in the audit log. Screenshots land in artifacts/screenshots/ under the test output folder.
/// </summary>
public sealed class AdminConsoleTests
{
    private const string AdminWallet = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
    private const string UserWallet = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";
    private const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    [Fact]
    public async Task An_admin_manages_clients_and_accounts_and_sees_it_all_in_the_audit_log()
    {
        Directory.CreateDirectory(Screenshots);
        await using var bridge = await BridgeProcess.StartAsync(AdminWallet);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = bridge.BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") consoleErrors.Add($"{message.Text} ({message.Location})");
        };

        try
        {
            // Sign in: /admin → /login → simulator (auto-approves the bootstrap wallet) → back to /admin.
            await page.GotoAsync("/admin");
            await SignInAsync(page, bridge.BaseUrl + "/admin");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 }));
            await ShotAsync(page, "01-dashboard");

            // Register a client; the secret is shown once.
            await page.GetByRole(AriaRole.Link, new() { Name = "Clients", Exact = true }).ClickAsync();
            await ShotAsync(page, "02-clients");
            await page.GetByRole(AriaRole.Link, new() { Name = "Register a client" }).ClickAsync();
            await page.Locator("#Form_ClientId").FillAsync("e2e-portal");
            await page.Locator("#Form_ClientName").FillAsync("E2E portal");
            await page.Locator("#Form_RedirectUris").FillAsync("javascript:alert(1)");
            await Expect(page.Locator("#redirect-check li"));
            await ShotAsync(page, "03-client-new-invalid-redirect");
            await page.Locator("#Form_RedirectUris").FillAsync("https://portal.example.com/signin-bridge");
            await page.GetByRole(AriaRole.Button, new() { Name = "Register client" }).ClickAsync();
            var firstSecret = await page.Locator("#client-secret").InputValueAsync();
            Assert.True(firstSecret.Length >= 40);
            await ShotAsync(page, "04-client-created-secret");

            // Rotate its secret.
            await page.GetByRole(AriaRole.Link, new() { Name = "Open the client" }).ClickAsync();
            Assert.DoesNotContain(firstSecret, await page.ContentAsync());
            await page.Locator("#OverlapHours").FillAsync("1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
            var secondSecret = await page.Locator("#client-secret").InputValueAsync();
            Assert.NotEqual(firstSecret, secondSecret);
            await ShotAsync(page, "05-client-secret-rotated");

            // Create an account, link a wallet to it, then disable it.
            await page.GetByRole(AriaRole.Link, new() { Name = "Accounts", Exact = true }).ClickAsync();
            await ShotAsync(page, "06-accounts");
            await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
            await page.Locator("#Form_DisplayName").FillAsync("E2E user");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await page.Locator("#Link_Address").FillAsync(UserWallet);
            await page.GetByRole(AriaRole.Button, new() { Name = "Link wallet" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "linked" }));
            await ShotAsync(page, "07-account-wallet-linked");
            await page.GetByRole(AriaRole.Button, new() { Name = "Disable account" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Account disabled" }));
            await ShotAsync(page, "08-account-disabled");

            // Signing keys.
            await page.GetByRole(AriaRole.Link, new() { Name = "Signing keys" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate key" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "now signs" }));
            await ShotAsync(page, "09-keys");

            // Everything is in the audit log, without secrets.
            await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
            var audit = await page.Locator("table.audit").InnerTextAsync();
            foreach (var type in new[] { "signin.succeeded", "client.created", "client.secret_rotated", "account.created", "wallet.linked", "account.disabled", "key.rotated" })
                Assert.Contains(type, audit);
            Assert.DoesNotContain(firstSecret, audit);
            Assert.DoesNotContain(secondSecret, audit);
            await ShotAsync(page, "10-audit-log");

            await page.SetViewportSizeAsync(390, 844);
            await page.GotoAsync("/admin");
            await ShotAsync(page, "11-dashboard-phone");
            Assert.Empty(consoleErrors);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            await ShotAsync(page, "failure");
            throw new InvalidOperationException($"Console flow failed at {page.Url}: {ex.Message}\n--- bridge log ---\n{Tail(bridge.Log)}", ex);
        }
    }

    /// <summary>
    /// Follows the login until the console answers. The simulator approves on its own; where a login page
    /// asks the person to choose how to sign in, the test presses the Xumm sign-in control, as a person would.
    /// </summary>
    private static async Task SignInAsync(IPage page, string consoleUrl)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (page.Url != consoleUrl)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Sign-in did not reach {consoleUrl}; still at {page.Url}.");
            try
            {
                await page.WaitForURLAsync(consoleUrl, new PageWaitForURLOptions { Timeout = 5_000 });
                break;
            }
            catch (TimeoutException)
            {
                var control = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("xumm|xaman|sign in|log in|continue", System.Text.RegularExpressions.RegexOptions.IgnoreCase) })
                    .Or(page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("xumm|xaman|sign in|log in", System.Text.RegularExpressions.RegexOptions.IgnoreCase) }));
                if (await control.CountAsync() > 0 && await control.First.IsVisibleAsync()) await control.First.ClickAsync();
            }
        }
    }

    private static async Task Expect(ILocator locator) =>
        await locator.First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 15_000 });

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    private static string Tail(string log) => log.Length <= 6000 ? log : log[^6000..];
}
