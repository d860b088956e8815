namespace XummSimulator.Model;

/// <summary>
/// A finished sign-in: either the grant (a code for the code flow; for the implicit flow, what the
/// token is issued for) or an OAuth2 error for the redirect.
/// </summary>
internal sealed record AuthorizationOutcome(AuthorizationRequest Request, AuthorizationCode? Grant, string? Error, string? ErrorDescription)
{
    public static AuthorizationOutcome Approved(AuthorizationRequest request, AuthorizationCode grant) => new(request, grant, null, null);

    public static AuthorizationOutcome Failed(AuthorizationRequest request, string error, string description) =>
        new(request, null, error, description);
}
