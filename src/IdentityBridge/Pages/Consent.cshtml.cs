using IdentityBridge.Audit;
using IdentityBridge.Provider.Authorize;
using IdentityBridge.Provider.Interaction;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Sessions;
using IdentityBridge.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityBridge.Pages;

/// <summary>
/// The consent page (/consent?returnUrl=...): reachable only with a pending, valid authorization request
/// in returnUrl and a live session. Allow remembers the consent and resumes the request; Deny ends it
/// with access_denied at the client.
/// </summary>
public sealed class ConsentModel(
    AuthorizeRequestValidator validator,
    SessionService sessions,
    ConsentStore consents,
    InteractionTickets tickets,
    AuthorizeErrorResponder errors,
    AuditLog audit) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    public string ClientName { get; private set; } = "";
    public IReadOnlyList<string> ScopeDescriptions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var (request, _, failure) = await LoadAsync(ct);
        if (failure is not null) return failure;
        Show(request!);
        // Allow and Deny end in a redirect to the client (through /connect/authorize).
        FormActions.EndAtAnotherSite(HttpContext);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? decision, CancellationToken ct)
    {
        var (request, session, failure) = await LoadAsync(ct);
        if (failure is not null) return failure;
        var client = request!.Client;
        if (decision != "allow")
        {
            await audit.WriteAsync(AuditTypes.ConsentDenied, session!.AccountId, session.AccountId, client.ClientId, success: false,
                details: new { scopes = request.ConsentScopes }, ct: ct);
            var result = await errors.FailAsync(HttpContext, ReturnUrl, ProtocolErrors.AccessDenied, "The user did not allow access.");
            await result.ExecuteAsync(HttpContext);
            return new EmptyResult();
        }

        await consents.GrantAsync(session!.AccountId, client.ClientId, request.ConsentScopes, ct);
        await audit.WriteAsync(AuditTypes.ConsentGranted, session.AccountId, session.AccountId, client.ClientId, details: new { scopes = request.ConsentScopes }, ct: ct);
        var ticket = tickets.AfterConsent(request.Parameters, session.AccountId, client.ClientId, OidcScopes.Join(request.ConsentScopes));
        return LocalRedirect(AuthorizeResponder.AuthorizeUrl(HttpContext, request.Parameters, ticket));
    }

    private async Task<(AuthorizeRequest? Request, Storage.Entities.Session? Session, IActionResult? Failure)> LoadAsync(CancellationToken ct)
    {
        var parameters = AuthorizeErrorResponder.ParseReturnUrl(HttpContext, ReturnUrl);
        if (parameters is null) return (null, null, Error("There is no pending sign-in request to consent to."));
        var validation = await validator.ValidateAsync(parameters, HttpContext, ct);
        if (validation.Request is not { } request) return (null, null, Error(validation.Error?.Description ?? "The sign-in request is not valid."));
        var session = await sessions.GetCurrentAsync(HttpContext, ct);
        // Without a session the authorize endpoint sends the user to sign in first.
        if (session is null) return (null, null, LocalRedirect(ReturnUrl!));
        return (request, session, null);
    }

    private void Show(AuthorizeRequest request)
    {
        ClientName = request.Client.ClientName;
        ScopeDescriptions = request.ConsentScopes.Select(OidcScopes.Describe).ToList();
        ViewData["Title"] = "Allow access";
    }

    private ContentResult Error(string message) => new()
    {
        Content = Security.ErrorPage.Render("Consent not possible", message, HttpContext.TraceIdentifier),
        ContentType = "text/html; charset=utf-8",
        StatusCode = StatusCodes.Status400BadRequest,
    };
}
