namespace XummSimulator.Model;

/// <summary>A finished sign-in: either a code or an OAuth2 error for the redirect.</summary>
internal sealed record AuthorizationOutcome(AuthorizationRequest Request, string? Code, string? Error, string? ErrorDescription)
{
    public static AuthorizationOutcome Approved(AuthorizationRequest request, string code) => new(request, code, null, null);

    public static AuthorizationOutcome Failed(AuthorizationRequest request, string error, string description) =>
        new(request, null, error, description);
}
