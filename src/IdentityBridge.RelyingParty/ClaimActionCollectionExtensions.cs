using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;

namespace IdentityBridge.RelyingParty;

/// <summary>Helpers to declare which provider claims become claims of the signed-in user.</summary>
public static class ClaimActionCollectionExtensions
{
    /// <summary>Adds a <see cref="UniqueJsonKeyClaimAction"/> for a string member.</summary>
    public static void MapUniqueJsonKey(this ClaimActionCollection collection, string claimType, string jsonKey)
    {
        ArgumentNullException.ThrowIfNull(collection);
        collection.Add(new UniqueJsonKeyClaimAction(claimType, ClaimValueTypes.String, jsonKey));
    }
}
