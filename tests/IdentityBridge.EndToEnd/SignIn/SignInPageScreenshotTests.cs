using IdentityBridge.EndToEnd.Infrastructure;
using IdentityBridge.Xumm;
using Microsoft.Playwright;

namespace IdentityBridge.EndToEnd.SignIn;

/// <summary>
/// The QR page and the push-waiting page in a real Chromium (the system's, never a downloaded one): the
/// page's script follows the sign-in and moves on by itself once the wallet signed. Screenshots go to
/// artifacts/screenshots/.
/// </summary>
public sealed class SignInPageScreenshotTests(SignInProcesses processes) : IClassFixture<SignInProcesses>
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    [Fact]
    public async Task The_qr_page_updates_itself_and_a_returning_user_sees_the_push_page()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
        await using var context = await chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 960, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error" && !message.Location.Contains("favicon", StringComparison.Ordinal)) errors.Add(message.Text + " at " + message.Location); };
        var wallet = XrplAddress.CreateRandom();
        var screenshots = Paths.Artifacts("screenshots");

        // The link only offers the sign-in; the button starts it.
        await page.GotoAsync(processes.BridgeUrl + "/signin/qr?returnUrl=%2Faccount");
        Assert.Contains("Continue with Xumm", await page.ContentAsync(), StringComparison.Ordinal);
        await page.ClickAsync("#signin-start button");
        await page.WaitForSelectorAsync("#signin-qr");
        Assert.Contains("/signin/qr/", page.Url, StringComparison.Ordinal);
        Assert.True(await page.EvalOnSelectorAsync<bool>("#signin-qr", "img => img.complete && img.naturalWidth > 0"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "signin-qr.png"), FullPage = true });

        var id = page.Url.Split('/')[^1];
        await processes.ApproveAsync((await processes.PayloadOfAsync(id)).GetProperty("uuid").GetString()!, wallet);
        // No reload, no click: signin-status.js sees the signature and completes the sign-in.
        await page.WaitForURLAsync(processes.BridgeUrl + "/account", new PageWaitForURLOptions { Timeout = 30_000 });
        Assert.Contains(wallet, await page.ContentAsync(), StringComparison.Ordinal);

        await page.GotoAsync(processes.BridgeUrl + "/signin/qr?returnUrl=%2Faccount");
        await page.ClickAsync("#signin-start button");
        await page.WaitForSelectorAsync("#signin-qr-instead");
        Assert.Contains("/signin/push/", page.Url, StringComparison.Ordinal);
        Assert.Contains("Check your phone", await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "signin-push.png"), FullPage = true });

        Assert.True(File.Exists(Path.Combine(screenshots, "signin-qr.png")));
        Assert.True(File.Exists(Path.Combine(screenshots, "signin-push.png")));
        Assert.Empty(errors);
        processes.AssertSecretNotPrinted();
    }
}
