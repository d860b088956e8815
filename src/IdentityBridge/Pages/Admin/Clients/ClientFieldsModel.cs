using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace IdentityBridge.Pages.Admin.Clients;

/// <summary>What the shared client fields partial needs.</summary>
public sealed record ClientFieldsModel(ClientForm Form, bool IsNew, ModelStateDictionary ModelState)
{
    private static readonly string[] Advanced =
        ["AccessTokenLifetime", "IdTokenLifetime", "RefreshTokenSlidingLifetime", "RefreshTokenAbsoluteLifetime", "SectorIdentifier", "RequiredNetwork", "Jwks"];

    public bool HasAdvancedErrors => Advanced.Any(a => ModelState.TryGetValue("Form." + a, out var entry) && entry.Errors.Count > 0);
}
