using System.Net.Http.Headers;
using System.Text;
using IdentityBridge.Clients;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Clients;

/// <summary>
/// Authenticates the calling client: <c>client_secret_basic</c> (RFC 6749 §2.3.1, id and secret
/// form-url-decoded), <c>client_secret_post</c>, <c>private_key_jwt</c> (RFC 7523) or <c>none</c> for
/// public clients. One method per request, and only the method the client registered.
/// Once a client id is named, every refusal reads the same to the caller (<see cref="Failed"/>), whether the
/// client is unknown, disabled, registered for another method or presented wrong credentials, so that an
/// unauthenticated caller cannot learn which client ids exist; the actual reason is in
/// <see cref="ClientAuthentication.Reason"/>, for the audit trail and the log. The one exception is a client
/// assertion that is wrong whichever client sent it (<see cref="ClientAssertionValidator.TryScreen"/>: not a
/// signed JWT, another kind of JWT, another audience): checked before the client is looked up, it tells the caller
/// what is expected, which gives away nothing about the client.
/// A refusal is 401 with the Basic challenge when the client used Basic or presented no credentials, and 400
/// when its credentials were in the body (see <see cref="ProtocolError.InvalidClientInBody"/>).
/// </summary>
public sealed class ClientAuthenticator(ClientStore clients, ClientAssertionValidator assertions, TimeProvider time, ILogger<ClientAuthenticator> logger)
{
    /// <summary>The error_description of every refusal of a named client.</summary>
    public const string Failed = "Client authentication failed.";

    /// <param name="allowPublic">Whether a public client may identify itself by client_id alone (token and revocation: yes; introspection: no).</param>
    public async Task<ClientAuthentication> AuthenticateAsync(HttpRequest request, OAuthParameters form, bool allowPublic, CancellationToken ct = default)
    {
        // RFC 9110 §5.3: Authorization is a singleton field; sent twice, it is neither credentials nor their absence.
        if (request.Headers.Authorization.Count > 1)
            return ClientAuthentication.Fail(ProtocolError.InvalidRequest("The Authorization header was sent more than once."));
        var basic = ReadBasic(request, out var basicMalformed);
        if (basicMalformed)
            return ClientAuthentication.Fail(ProtocolError.InvalidClient("The Authorization header is not valid HTTP Basic client credentials."));

        var formId = form["client_id"];
        var formSecret = form["client_secret"];
        var assertion = form["client_assertion"];
        var assertionType = form["client_assertion_type"];
        var methods = (basic is not null ? 1 : 0) + (formSecret is not null ? 1 : 0) + (assertion is not null || assertionType is not null ? 1 : 0);
        if (methods > 1)
            return ClientAuthentication.Fail(ProtocolError.InvalidRequest("Use exactly one client authentication method."));

        string method;
        string? clientId;
        ScreenedAssertion? screened = null;
        if (basic is { } b)
        {
            if (formId is not null && formId != b.Id)
                return ClientAuthentication.Fail(ProtocolError.InvalidClient("client_id does not match the HTTP Basic credentials.")) with { ClientIdTried = b.Id };
            (method, clientId) = (ClientAuthMethods.SecretBasic, b.Id);
        }
        else if (formSecret is not null) (method, clientId) = (ClientAuthMethods.SecretPost, formId);
        else if (assertion is not null || assertionType is not null)
        {
            if (assertionType != ClientAuthMethods.JwtBearerAssertionType || assertion is null)
                return ClientAuthentication.Fail(ProtocolError.InvalidClientInBody($"client_assertion_type must be {ClientAuthMethods.JwtBearerAssertionType} with a client_assertion."));
            (method, clientId) = (ClientAuthMethods.PrivateKeyJwt, formId ?? ClientAssertionValidator.UnverifiedSubject(assertion));
            if (!assertions.TryScreen(assertion, request.Path.Value, out screened, out var problem))
                return Refuse(problem, told: true);
        }
        else (method, clientId) = (ClientAuthMethods.None, formId);

        // No client named, nothing to give away: the description can say what is missing.
        if (clientId is null)
            return ClientAuthentication.Fail(method switch
            {
                ClientAuthMethods.SecretPost => ProtocolError.InvalidClientInBody("client_secret needs the client_id it belongs to."),
                ClientAuthMethods.PrivateKeyJwt => ProtocolError.InvalidClientInBody("The client assertion names no client: send client_id, or an assertion whose sub is the client."),
                _ => ProtocolError.InvalidClient("Client authentication is required."),
            });
        var client = await clients.FindEnabledAsync(clientId, ct);
        if (client is null)
            return Refuse("Unknown or disabled client.");
        if (client.TokenEndpointAuthMethod != method)
            return Refuse($"This client must authenticate with {client.TokenEndpointAuthMethod}.");

        switch (method)
        {
            case ClientAuthMethods.None:
                if (!client.IsPublic || !allowPublic)
                    return Refuse("Client authentication is required.");
                break;
            case ClientAuthMethods.SecretBasic:
            case ClientAuthMethods.SecretPost:
                var secret = basic?.Secret ?? formSecret!;
                if (!VerifySecret(client, secret))
                    return Refuse("Client authentication failed.");
                break;
            case ClientAuthMethods.PrivateKeyJwt:
                if (await assertions.ValidateAsync(client, screened!, ct) is { } problem)
                    return Refuse(problem);
                break;
        }
        return new ClientAuthentication(client, method, null);

        // told: the reason does not depend on the client, and is its description.
        ClientAuthentication Refuse(string reason, bool told = false)
        {
            logger.LogInformation("Client authentication of {ClientId} with {Method} refused: {Reason}", ErrorDescription.Clean(clientId), method, ErrorDescription.Clean(reason));
            var description = told ? reason : Failed;
            var error = method is ClientAuthMethods.SecretPost or ClientAuthMethods.PrivateKeyJwt
                ? ProtocolError.InvalidClientInBody(description)
                : ProtocolError.InvalidClient(description);
            return ClientAuthentication.Fail(error) with { ClientIdTried = clientId, Reason = told ? null : reason };
        }
    }

    private bool VerifySecret(RegisteredClient client, string secret)
    {
        var now = time.GetUtcNow();
        var ok = false;
        foreach (var stored in client.Secrets)
            if ((stored.ExpiresAt is null || stored.ExpiresAt > now) && ClientSecretHasher.Verify(secret, stored.Hash))
                ok = true;
        return ok;
    }

    /// <summary>HTTP Basic credentials, each part form-url-decoded (RFC 6749 §2.3.1); null when absent.</summary>
    private static (string Id, string Secret)? ReadBasic(HttpRequest request, out bool malformed)
    {
        malformed = false;
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0 || !AuthenticationHeaderValue.TryParse(header, out var value) ||
            !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter ?? ""));
            var colon = decoded.IndexOf(':');
            if (colon <= 0)
            {
                malformed = true;
                return null;
            }
            return (FormDecode(decoded[..colon]), FormDecode(decoded[(colon + 1)..]));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            malformed = true;
            return null;
        }
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
