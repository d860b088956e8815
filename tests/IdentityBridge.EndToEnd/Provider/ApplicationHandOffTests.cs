using Microsoft.Playwright;

namespace IdentityBridge.EndToEnd.Provider;

/// <summary>
/// An application's callback may answer with a redirect to another origin: an auth host handing the user on to the
/// application's main origin, an https callback opening a native app's custom scheme. Chromium applies the
/// <c>form-action</c> of the page whose form started a navigation to every redirect of that navigation, the
/// application's own included, so a bridge page whose form leads to an application must not restrict where forms go.
/// Each flow must end at the origin the application sent the user on to.
/// </summary>
public sealed class ApplicationHandOffTests(CrossSitePostTests.Stack stack) : IClassFixture<CrossSitePostTests.Stack>
{
    [Fact]
    public async Task A_form_post_response_goes_on_where_the_callback_redirects()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        await stack.SignInAsync(page);

        // The form_post page's form posts the code to the callback, which redirects to the other origin.
        var request = stack.AuthorizeParameters();
        request["redirect_uri"] = stack.Site.BaseUrl + CrossSitePostTests.Stack.HandOffPath;
        request["response_mode"] = "form_post";
        // The page submits its form while it loads: the navigation that matters is the one after it. The wait starts
        // before the request, so an arrival that comes before the page's own load is reported cannot slip past it.
        var arrival = CrossSitePostTests.Stack.WaitForPageAsync(page, stack.Elsewhere.BaseUrl + CrossSitePostTests.Stack.HomePath);
        await page.GotoAsync(stack.AuthorizeUrl(request), new() { WaitUntil = WaitUntilState.Commit });
        var home = await arrival;
        Assert.True(home.ContainsKey("code"), page.Url);
        Assert.Equal(request["state"], home["state"]);
    }

    [Fact]
    public async Task Allow_on_the_consent_page_goes_on_where_the_callback_redirects()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        var request = stack.AuthorizeParameters(clientId: CrossSitePostTests.Stack.ConsentClientId);
        request["redirect_uri"] = stack.Site.BaseUrl + CrossSitePostTests.Stack.HandOffPath;
        await stack.SignInUntilConsentAsync(page, request);

        await page.GetByRole(AriaRole.Button, new() { Name = "Allow" }).ClickAsync();
        var home = await CrossSitePostTests.Stack.WaitForPageAsync(page, stack.Elsewhere.BaseUrl + CrossSitePostTests.Stack.HomePath);
        Assert.True(home.ContainsKey("code"), page.Url);
        Assert.Equal(request["state"], home["state"]);
    }

    [Fact]
    public async Task A_confirmed_logout_goes_on_where_the_post_logout_redirect_uri_redirects()
    {
        await using var context = await stack.NewContextAsync();
        var page = await context.NewPageAsync();
        await stack.SignInAsync(page);

        const string state = "confirmed é&=";
        await page.GotoAsync(stack.Bridge.BaseUrl + "/connect/endsession?client_id=" + CrossSitePostTests.Stack.ClientId
            + "&post_logout_redirect_uri=" + Uri.EscapeDataString(stack.Site.BaseUrl + CrossSitePostTests.Stack.SignedOutHandOffPath)
            + "&state=" + Uri.EscapeDataString(state));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        var signedOut = await CrossSitePostTests.Stack.WaitForPageAsync(page, stack.Elsewhere.BaseUrl + CrossSitePostTests.Stack.SignedOutPath);
        Assert.Equal(state, signedOut["state"]);
    }
}
