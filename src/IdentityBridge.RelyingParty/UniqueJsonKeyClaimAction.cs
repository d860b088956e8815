using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OAuth.Claims;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// Maps a top-level string member of the user document to a claim, unless the identity already has a claim of
/// that type. Claim actions run on the ID token payload and again on the userinfo document; this keeps a value
/// present in both from appearing twice.
/// </summary>
public sealed class UniqueJsonKeyClaimAction : JsonKeyClaimAction
{
    /// <summary>Creates the action.</summary>
    public UniqueJsonKeyClaimAction(string claimType, string valueType, string jsonKey)
        : base(claimType, valueType, jsonKey)
    {
    }

    /// <inheritdoc />
    public override void Run(JsonElement userData, ClaimsIdentity identity, string issuer)
    {
        if (identity.HasClaim(claim => string.Equals(claim.Type, ClaimType, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        if (!userData.TryGetProperty(JsonKey, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return;
        }

        var text = value.GetString();
        if (!string.IsNullOrEmpty(text))
        {
            identity.AddClaim(new Claim(ClaimType, text, ValueType, issuer));
        }
    }
}
