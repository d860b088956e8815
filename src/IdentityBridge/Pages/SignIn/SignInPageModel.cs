using IdentityBridge.Federation.Payload;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Security;
using IdentityBridge.Storage.Entities;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityBridge.Pages.SignIn;

/// <summary>
/// What the QR and push pages share: offering a sign-in for a login (GET) and starting it (POST of that offer's
/// form), showing a request bound to this browser (waiting, or its end), and the cancel / back-to-the-application
/// buttons.
/// </summary>
/// <remarks>
/// Starting creates a payload at Xumm, from the application's small quota there. Any page on the web can make its
/// visitors' browsers GET a link (an image, a frame, a prefetch), from as many addresses as it has visitors, so a
/// start link only shows a button; the start itself is a POST with the antiforgery token of that page (the token
/// is checked by Razor Pages, the cookie is SameSite=Strict), which another site cannot send.
/// </remarks>
public abstract class SignInPageModel(SignInPageServices services) : PageModel
{
    protected SignInPageServices Services { get; } = services;

    public SignInRequest? SignInRequest { get; private set; }
    public SignInRequestData Data { get; private set; } = new();
    public string ClientName => Data.ClientName ?? "IdentityBridge";
    public string? QrImage { get; private set; }
    public string? DeepLink => Data.Next;
    public string StatusUrl => SignInPaths.Status + "/" + SignInRequest!.Id;
    public string CompleteUrl => SignInPaths.Complete + "/" + SignInRequest!.Id;
    public long ExpiresInSeconds { get; private set; }
    public string? Problem { get; private set; }
    public string ProblemTitle { get; private set; } = "Sign-in is not available";
    public bool Ended => SignInRequest is not null && SignInStatuses.IsEnd(SignInRequest.Status);

    /// <summary>The start this page offers (a start link was opened): where its form posts and what it carries.</summary>
    public SignInStart? Offer { get; private set; }

    /// <summary>Starts again with the same return URL (push or QR, as the bridge decides).</summary>
    public SignInStart Retry => new(SignInPaths.Qr, Data.ReturnUrl ?? "/", null, ForceQr: false);

    /// <summary>Starts again with a QR code, whatever the bridge knows about the wallet.</summary>
    public SignInStart QrInstead => Retry with { ForceQr = true };

    public (string Title, string Message) EndText => SignInRequest?.Status switch
    {
        SignInStatuses.Rejected => ("Sign-in declined", "The sign-in request was declined in the Xumm app."),
        SignInStatuses.Expired => ("Sign-in expired", "The sign-in request expired before it was signed."),
        SignInStatuses.Cancelled => ("Sign-in cancelled", "This sign-in request was cancelled."),
        SignInStatuses.Completed => ("Already signed in", "This sign-in request has already been used."),
        _ => Data.Reason switch
        {
            "not_enrolled" => ("No account for this wallet", "This wallet has no account here. Ask an administrator to enrol it."),
            "account_disabled" => ("Account disabled", "The account of this wallet is disabled."),
            "rate_limited" => ("Please wait a moment", "Too many sign-ins are starting right now. Try again in a minute."),
            "unavailable" => ("Xumm is not reachable", "Xumm cannot be reached right now. Try again in a moment."),
            { Length: > 0 } reason => ("The signature was not accepted", reason),
            _ => ("The signature was not accepted", "The sign-in could not be confirmed."),
        },
    };

    /// <summary>
    /// Answers a start link: the pending request of this browser for the same login when there is one (nothing to
    /// create), else a page whose button posts the start to <paramref name="path"/>.
    /// </summary>
    protected async Task<IActionResult> OfferAsync(string path, string? returnUrl, string? loginHint, bool forceQr)
    {
        Response.Headers.CacheControl = "no-store";
        var login = await Services.Logins.ReadAsync(HttpContext, returnUrl, loginHint, HttpContext.RequestAborted);
        if (login is null)
            return Fail(StatusCodes.Status400BadRequest, "Invalid sign-in link", "The sign-in link is not valid. Start again from the application.");
        if (await Services.SignIn.FindResumableAsync(HttpContext, login, forceQr, HttpContext.RequestAborted) is { } pending)
            return Redirect(SignInPaths.Page(pending));
        Data = new SignInRequestData { ReturnUrl = login.ReturnUrl, ClientName = login.ClientName };
        Offer = new SignInStart(path, login.ReturnUrl, loginHint, forceQr);
        return Page();
    }

    /// <summary>The POST of a start form (antiforgery checked before it runs): creates the payload, or resumes.</summary>
    protected Task<IActionResult> StartAsync(string? id, string kind, string? returnUrl, string? loginHint, bool forceQr) =>
        id is null ? StartAsync(returnUrl, loginHint, forceQr) : Task.FromResult<IActionResult>(Redirect(SignInPaths.Page(kind, id)));

    private async Task<IActionResult> StartAsync(string? returnUrl, string? loginHint, bool forceQr)
    {
        Response.Headers.CacheControl = "no-store";
        var login = await Services.Logins.ReadAsync(HttpContext, returnUrl, loginHint, HttpContext.RequestAborted);
        if (login is null)
            return Fail(StatusCodes.Status400BadRequest, "Invalid sign-in link", "The sign-in link is not valid. Start again from the application.");
        var started = await Services.SignIn.StartAsync(HttpContext, login, forceQr, HttpContext.RequestAborted);
        if (started.Request is null)
            return Fail(StatusCodes.Status503ServiceUnavailable, "Sign-in is not available", started.Problem ?? "Try again in a moment.");
        return Redirect(SignInPaths.Page(started.Request));
    }

    protected async Task<IActionResult> ShowAsync(string id, string kind)
    {
        Response.Headers.CacheControl = "no-store";
        var request = await BoundAsync(id);
        if (request is null) return NotBound();
        if (request.Kind != kind) return Redirect(SignInPaths.Page(request));
        if (request.PayloadUuid is { } uuid && !Services.Follower.IsWatchingSocket(uuid))
            request = await Services.Resolver.RefreshIfDueAsync(request, HttpContext.RequestAborted);
        if (request.Status == SignInStatuses.Signed) return Redirect(SignInPaths.Complete + "/" + request.Id);

        SignInRequest = request;
        Data = SignInRequestData.Read(request.Data);
        if (request.Status == SignInStatuses.Pending)
        {
            if (Data.Next is { } next) QrImage = QrCodeImage.PngDataUri(next);
            ExpiresInSeconds = (long)Math.Max(0, Math.Floor((request.ExpiresAt - Services.Time.GetUtcNow()).TotalSeconds));
        }
        // The way back to the application (and the no-script continue) ends in a redirect to the client.
        if (await Services.Errors.RedirectUriOfAsync(HttpContext, Data.ReturnUrl) is not null)
            FormActions.EndAtAnotherSite(HttpContext);
        return Page();
    }

    public async Task<IActionResult> OnPostCancelAsync(string id)
    {
        var request = await BoundAsync(id);
        if (request is null) return NotBound();
        await Services.SignIn.CancelAsync(request, HttpContext.RequestAborted);
        return Redirect(SignInPaths.Page(request));
    }

    /// <summary>Gives up and returns to the application with access_denied (through the authorize error path).</summary>
    public async Task<IActionResult> OnPostAbortAsync(string id)
    {
        var request = await BoundAsync(id);
        if (request is null) return NotBound();
        await Services.SignIn.CancelAsync(request, HttpContext.RequestAborted);
        var data = SignInRequestData.Read(request.Data);
        var result = await Services.Errors.FailAsync(HttpContext, data.ReturnUrl, "access_denied", "The user did not sign in with Xumm.");
        await result.ExecuteAsync(HttpContext);
        return new EmptyResult();
    }

    private async Task<SignInRequest?> BoundAsync(string? id) =>
        id is not null && Services.Cookies.IsBound(HttpContext, id) ? await Services.Requests.FindAsync(id, HttpContext.RequestAborted) : null;

    private IActionResult NotBound() => Fail(StatusCodes.Status404NotFound, "Sign-in not found",
        "This sign-in was started in another browser, or it has ended. Start again from the application.");

    private IActionResult Fail(int status, string title, string message)
    {
        Response.StatusCode = status;
        ProblemTitle = title;
        Problem = message;
        return Page();
    }
}

/// <summary>A start of a sign-in as a form posts it: to <paramref name="Path"/>, with the parameters of the start link.</summary>
public sealed record SignInStart(string Path, string ReturnUrl, string? LoginHint, bool ForceQr);

/// <summary>The services both sign-in pages use (one constructor argument instead of nine).</summary>
public sealed class SignInPageServices(
    BrowserSignIn signIn,
    LoginContextReader logins,
    SignInCookies cookies,
    SignInRequestStore requests,
    PayloadResolver resolver,
    PayloadFollower follower,
    AuthorizeErrorResponder errors,
    TimeProvider time)
{
    public BrowserSignIn SignIn { get; } = signIn;
    public LoginContextReader Logins { get; } = logins;
    public SignInCookies Cookies { get; } = cookies;
    public SignInRequestStore Requests { get; } = requests;
    public PayloadResolver Resolver { get; } = resolver;
    public PayloadFollower Follower { get; } = follower;
    public AuthorizeErrorResponder Errors { get; } = errors;
    public TimeProvider Time { get; } = time;
}
