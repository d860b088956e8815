using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using IdentityBridge.Storage.Entities;

namespace IdentityBridge.Admin.Api;

/// <summary>/admin/api/validate: the server's rules, for forms that check as the admin types.</summary>
internal static class ValidationApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/validate/redirect-uri", (string? uri, string? clientType) =>
        {
            if (clientType is not (null or "" or ClientTypes.Confidential or ClientTypes.Public))
                return AdminResults.Problem(AdminError.Invalid("clientType", "must be 'confidential' or 'public'"));
            var problem = ClientRules.CheckRedirectUri(uri, string.IsNullOrEmpty(clientType) ? ClientTypes.Confidential : clientType);
            return AdminResults.Json(new RedirectUriCheck(problem is null, problem));
        })
        .RequireAuthorization(AdminAuth.AnyPolicy)
        .WithTags("Validation").WithName("ValidateRedirectUri")
        .WithSummary("Check a redirect URI against the registration rules (also callable from the console session).")
        .Produces<RedirectUriCheck>().ProducesValidationProblem();
    }
}
