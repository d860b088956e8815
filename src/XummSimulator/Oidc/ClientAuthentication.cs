using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace XummSimulator.Oidc;

/// <summary>
/// Who calls the token endpoint: <c>client_id</c> + <c>client_secret</c> in the form, or HTTP Basic,
/// or a public client (only <c>client_id</c>, which then must prove PKCE).
/// </summary>
internal sealed record ClientAuthentication(XummSimulatorApp? App, bool Confidential, bool UsedBasic, string? Error, string? Description)
{
    public static ClientAuthentication From(HttpContext context, IFormCollection form, XummSimulatorState state)
    {
        string? basicId = null;
        string? basicSecret = null;
        var usedBasic = false;
        if (AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization.ToString(), out var header)
            && string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            usedBasic = true;
            if (!TryDecodeBasic(header.Parameter, out basicId, out basicSecret))
            {
                return Fail(usedBasic, "Malformed HTTP Basic credentials.");
            }
        }

        var formId = form["client_id"].ToString();
        var formSecret = form["client_secret"].ToString();
        if (usedBasic && formSecret.Length > 0)
        {
            return new ClientAuthentication(null, false, usedBasic, "invalid_request", "Use one client authentication method, not two.");
        }

        if (usedBasic && formId.Length > 0 && formId != basicId)
        {
            return new ClientAuthentication(null, false, usedBasic, "invalid_request", "client_id differs from the HTTP Basic user.");
        }

        var clientId = usedBasic ? basicId : formId;
        var secret = usedBasic ? basicSecret : formSecret;
        var app = state.FindApp(clientId);
        if (app is null)
        {
            return Fail(usedBasic, "Unknown client.");
        }

        if (string.IsNullOrEmpty(secret))
        {
            return new ClientAuthentication(app, Confidential: false, usedBasic, null, null);
        }

        var matches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(app.ApiSecret));
        return matches ? new ClientAuthentication(app, Confidential: true, usedBasic, null, null) : Fail(usedBasic, "Client authentication failed.");
    }

    private static ClientAuthentication Fail(bool usedBasic, string description) =>
        new(null, false, usedBasic, "invalid_client", description);

    private static bool TryDecodeBasic(string? parameter, out string? id, out string? secret)
    {
        id = null;
        secret = null;
        if (string.IsNullOrEmpty(parameter))
        {
            return false;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            // RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
            id = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
            secret = Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' '));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
