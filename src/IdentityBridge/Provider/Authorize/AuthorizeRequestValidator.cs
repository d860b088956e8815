using IdentityBridge.Clients;
using IdentityBridge.Configuration;
using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Protocol;
using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Provider.Authorize;

/// <summary>
/// Validates authorization requests (RFC 6749 §4.1.1, OIDC Core §3.1.2, RFC 7636, RFC 9700). Until
/// client_id and redirect_uri are both trusted, errors are for an error page, never a redirect.
/// A request with <c>request_uri</c> stands for the parameters its client pushed (RFC 9126 §4): those alone are
/// validated, and the ones it was sent with are kept only to resume it after login and consent. A request with a
/// signed request object in <c>request</c> stands for the object's parameters (RFC 9101 §6.3): those alone are
/// validated, and the request resumes after login and consent with them, the object verified once.
/// Validation only reads: it never writes HTTP.
/// </summary>
public sealed class AuthorizeRequestValidator(
    ClientStore clients,
    RequestObjectReader requestObjects,
    OwnTokenReader tokens,
    InteractionTickets tickets,
    GrantStore grants,
    IOptions<ResourceOptions> resources,
    IOptions<BridgeOptions> options)
{
    private const int MaxValueLength = 2048;

    /// <summary>
    /// How long a pushed request lives, counted from the push, once the browser brought it to the authorize endpoint
    /// in time: through a login (<see cref="InteractionTickets.Lifetime"/>) and the consent after it.
    /// </summary>
    public static readonly TimeSpan PushedInteractionLifetime = InteractionTickets.Lifetime + AuthorizeInteraction.ConsentTicketLifetime;

    /// <summary>The trusted client + redirect URI of a request, or the error to show on a page.</summary>
    public async Task<(RedirectTarget? Target, ProtocolError? Error)> ResolveTargetAsync(OAuthParameters p, CancellationToken ct = default)
    {
        var (pushed, error) = await ExpandAsync(p, ct);
        return pushed is null ? (null, error) : await ResolveOwnTargetAsync(pushed, ct);
    }

    /// <summary>
    /// RFC 9126 §4: the parameters of a request with <c>request_uri</c> are those its client_id pushed, when the
    /// reference is known, unexpired, unused and was pushed by that client; any other parameter it came with is
    /// ignored. Without <c>request_uri</c>, the request's own parameters. Else the error for a page: the client is
    /// not trusted yet. A reference brought here in time lives on for <see cref="PushedInteractionLifetime"/>.
    /// </summary>
    private async Task<(OAuthParameters? Parameters, ProtocolError? Error)> ExpandAsync(OAuthParameters p, CancellationToken ct)
    {
        if (!p.Has("request_uri") && p.Unreadable("request_uri") is null)
            return p.Has("request") || p.Unreadable("request") is not null ? await ReadObjectAsync(p, null, ct) : (p, null);
        if (p.Duplicates.FirstOrDefault(d => d is "client_id" or "request_uri") is { } repeated)
            return (null, ProtocolError.InvalidRequest($"The {repeated} parameter was sent more than once."));
        if ((p.Unreadable("client_id") ?? p.Unreadable("request_uri")) is { } unreadable) return (null, unreadable);
        if (p["client_id"] is not { } clientId) return (null, ProtocolError.InvalidRequest("The client_id parameter is missing."));
        var grant = await grants.OpenPushedAuthorizationAsync(p["request_uri"], clientId, PushedInteractionLifetime, ct);
        if (grant is null || GrantJson.Read<PushedAuthorizationData>(grant.Data) is not { } data)
            return (null, new ProtocolError(ProtocolErrors.InvalidRequestUri,
                "The request_uri is not valid (invalid_request_uri): it is unknown, has expired, was already used or was pushed by another application."));
        return (OAuthParameters.FromQuery(data.Parameters), null);
    }

    /// <summary>
    /// RFC 9101 §5, §6.3: the parameters of the signed request object in <c>request</c>, sent beside a
    /// <c>client_id</c> that names its client (at the PAR endpoint, <paramref name="authenticated"/>, the client that
    /// pushed it); the other parameters sent beside it are ignored. Else the error for a page or the pusher: the
    /// redirect URI is known only from a valid object.
    /// </summary>
    private async Task<(OAuthParameters? Parameters, ProtocolError? Error)> ReadObjectAsync(OAuthParameters p, RegisteredClient? authenticated, CancellationToken ct)
    {
        if (p.Duplicates.FirstOrDefault(d => d is "client_id" or "request") is { } repeated)
            return (null, ProtocolError.InvalidRequest($"The {repeated} parameter was sent more than once."));
        if ((p.Unreadable("client_id") ?? p.Unreadable("request")) is { } unreadable) return (null, unreadable);
        var client = authenticated;
        if (client is null)
        {
            if (p["client_id"] is not { } clientId) return (null, ProtocolError.InvalidRequest("The client_id parameter is missing: it must be sent beside the request object."));
            client = await clients.FindEnabledAsync(clientId, ct);
            if (client is null) return (null, new ProtocolError(ProtocolErrors.InvalidClient, "The application is not registered with this bridge or is disabled."));
        }
        return await requestObjects.ReadAsync(p["request"]!, client, ct);
    }

    /// <summary>
    /// Uses up the pushed request the parameters of an authorization request name, as its answer is sent (RFC 9126 §4:
    /// one use). True when it was still unused, or when the request was not pushed.
    /// </summary>
    public async Task<bool> TryUseUpAsync(OAuthParameters p, CancellationToken ct = default) =>
        p["request_uri"] is not { } requestUri || await grants.TryUsePushedAuthorizationAsync(requestUri, ct);

    private async Task<(RedirectTarget? Target, ProtocolError? Error)> ResolveOwnTargetAsync(OAuthParameters p, CancellationToken ct)
    {
        // Whatever else was repeated: with two client_ids or two redirect_uris there is no target to trust.
        if (p.Duplicates.FirstOrDefault(d => d is "client_id" or "redirect_uri") is { } repeated)
            return (null, ProtocolError.InvalidRequest($"The {repeated} parameter was sent more than once."));
        // Nor with one that could not be read: it is no client_id or redirect_uri to go by, not a missing one.
        if ((p.Unreadable("client_id") ?? p.Unreadable("redirect_uri")) is { } unreadable) return (null, unreadable);
        var clientId = p["client_id"];
        if (clientId is null) return (null, ProtocolError.InvalidRequest("The client_id parameter is missing."));
        var client = await clients.FindEnabledAsync(clientId, ct);
        if (client is null) return (null, new ProtocolError(ProtocolErrors.InvalidClient, "The application is not registered with this bridge or is disabled."));
        var redirectUri = p["redirect_uri"];
        if (redirectUri is null) return (null, ProtocolError.InvalidRequest("The redirect_uri parameter is missing."));
        if (!RedirectUriRules.Matches(client.RedirectUris, redirectUri))
            return (null, ProtocolError.InvalidRequest("The redirect_uri is not registered for this application."));
        var state = p["state"];
        if (state is { Length: > MaxValueLength }) return (null, ProtocolError.InvalidRequest("The state parameter is too long."));
        var mode = p["response_mode"];
        return (new RedirectTarget(client, redirectUri, mode == ResponseModes.FormPost ? ResponseModes.FormPost : ResponseModes.Query, state), null);
    }

    /// <summary>
    /// Validates the request of <paramref name="p"/> (or the one it pushed), and reads its interaction ticket as the
    /// browser of <paramref name="context"/> presents it. With <c>Bridge:PushedAuthorization:Required</c>, or for a client
    /// that requires it (RFC 9126 §6), a request that was not pushed is refused; for a client that requires signed
    /// request objects (RFC 9101 §10.5), one that was neither sent nor pushed as one.
    /// </summary>
    public async Task<AuthorizeValidation> ValidateAsync(OAuthParameters p, HttpContext context, CancellationToken ct = default)
    {
        var (pushed, pageError) = await ExpandAsync(p, ct);
        if (pushed is null) return AuthorizeValidation.Page(pageError!);
        // Signed: pushed as a request object (the PAR endpoint marked it), sent as one, or resumed with the proof that
        // it was one; a mark or a proof sent from outside counts for nothing.
        var origin = p.Has("request_uri")
            ? new RequestOrigin(Pushed: true, Signed: pushed.Has(InteractionTickets.SignedRequestParameter))
            : new RequestOrigin(Pushed: false, Signed: p.Has("request") || tickets.VouchesSigned(p), ObjectRead: p.Has("request"));
        // A pushed request resumes by its reference; one from a request object with the object's parameters, so that
        // the object (short-lived, possibly shorter than the login) is not read again.
        return await ValidateParametersAsync(pushed, p.Has("request_uri") ? p : pushed, context, origin, ct);
    }

    /// <summary>
    /// Validates the parameters of a pushed authorization request (RFC 9126 §2.1) of <paramref name="client"/> as the
    /// authorize endpoint would validate them; the error either way is for the pusher, not a redirect. With a request
    /// object (RFC 9126 §3), its parameters are validated and become the request's
    /// (<see cref="AuthorizeRequest.Parameters"/>), and the others sent beside it are ignored.
    /// </summary>
    public async Task<AuthorizeValidation> ValidatePushedAsync(OAuthParameters p, RegisteredClient client, CancellationToken ct = default)
    {
        if (!p.Has("request") && p.Unreadable("request") is null) return await ValidateParametersAsync(p, p, null, new RequestOrigin(Pushed: true, Signed: false), ct);
        var (parameters, error) = await ReadObjectAsync(p, client, ct);
        return parameters is null
            ? AuthorizeValidation.Page(error!)
            : await ValidateParametersAsync(parameters, parameters, null, new RequestOrigin(Pushed: true, Signed: true), ct);
    }

    /// <summary>
    /// How a request came: pushed (RFC 9126), as a signed request object (RFC 9101), and whether that object was read
    /// in this very request (its parameters then get the proof to resume with).
    /// </summary>
    private readonly record struct RequestOrigin(bool Pushed, bool Signed, bool ObjectRead = false);

    /// <param name="p">The parameters to validate.</param>
    /// <param name="received">The parameters the request came with: <paramref name="p"/>, or those that named the pushed <paramref name="p"/>.</param>
    private async Task<AuthorizeValidation> ValidateParametersAsync(OAuthParameters p, OAuthParameters received, HttpContext? context, RequestOrigin origin, CancellationToken ct)
    {
        var (target, pageError) = await ResolveOwnTargetAsync(p, ct);
        if (target is null) return AuthorizeValidation.Page(pageError!);
        var client = target.Client;
        AuthorizeValidation Fail(string error, string description) => AuthorizeValidation.Redirect(new ProtocolError(error, description), target);

        // A state that could not be read is not in the target: the error goes back without one, since none can be echoed.
        if ((p.UnreadableError ?? p.DuplicateError) is { } malformed) return AuthorizeValidation.Redirect(malformed, target);
        if (p["response_mode"] is { } mode && !ResponseModes.Supported.Contains(mode))
            return Fail(ProtocolErrors.InvalidRequest, $"response_mode '{Clip(mode)}' is not supported (query, form_post).");
        if (p.Has("request_uri")) return Fail(ProtocolErrors.RequestUriNotSupported, "request_uri is not supported.");
        if (!origin.Pushed && options.Value.PushedAuthorization.Required)
            return Fail(ProtocolErrors.InvalidRequest, "This bridge takes only pushed authorization requests: push the request to the pushed_authorization_request_endpoint first.");
        // RFC 9126 §6 and RFC 9101 §10.5: what this client registered its requests must be.
        if (!origin.Pushed && client.RequirePushedAuthorizationRequests)
            return Fail(ProtocolErrors.InvalidRequest, "This application takes only pushed authorization requests: push the request to the pushed_authorization_request_endpoint first.");
        if (!origin.Signed && client.RequireSignedRequestObject)
            return Fail(ProtocolErrors.InvalidRequest, "This application takes only signed request objects: send the request parameter to the authorization endpoint or the pushed_authorization_request_endpoint.");
        if (origin.ObjectRead && client.RequireSignedRequestObject) received = tickets.WithSignedProof(received);

        var responseType = p["response_type"];
        if (responseType is null) return Fail(ProtocolErrors.InvalidRequest, "The response_type parameter is missing.");
        if (responseType != "code") return Fail(ProtocolErrors.UnsupportedResponseType, "Only response_type=code is supported.");
        if (!client.AllowsGrant(GrantTypeNames.AuthorizationCode))
            return Fail(ProtocolErrors.UnauthorizedClient, "This application may not use the authorization code flow.");

        var scopes = OidcScopes.Parse(p["scope"]);
        if (scopes.Count == 0) return Fail(ProtocolErrors.InvalidScope, "The scope parameter is missing.");
        if (scopes.FirstOrDefault(s => !client.AllowedScopes.Contains(s)) is { } refused)
            return Fail(ProtocolErrors.InvalidScope, $"The scope '{Clip(refused)}' is not allowed for this application.");

        var challenge = p["code_challenge"];
        var method = p["code_challenge_method"];
        if (challenge is not null)
        {
            if (method is null or "plain") return Fail(ProtocolErrors.InvalidRequest, "code_challenge_method must be S256; plain is not supported.");
            if (method != Pkce.S256) return Fail(ProtocolErrors.InvalidRequest, "code_challenge_method must be S256.");
            if (!Pkce.IsS256Challenge(challenge)) return Fail(ProtocolErrors.InvalidRequest, "code_challenge is malformed.");
        }
        else if (method is not null) return Fail(ProtocolErrors.InvalidRequest, "code_challenge_method was sent without code_challenge.");
        else if (client.RequirePkce) return Fail(ProtocolErrors.InvalidRequest, "PKCE is required: send code_challenge with code_challenge_method=S256.");

        var nonce = p["nonce"];
        if (nonce is { Length: > 512 }) return Fail(ProtocolErrors.InvalidRequest, "The nonce is too long.");

        var prompts = new HashSet<string>(OidcScopes.Parse(p["prompt"]), StringComparer.Ordinal);
        if (prompts.FirstOrDefault(v => !Prompts.Supported.Contains(v)) is { } unknownPrompt)
            return Fail(ProtocolErrors.InvalidRequest, $"prompt '{Clip(unknownPrompt)}' is not supported.");
        if (prompts.Contains(Prompts.None) && prompts.Count > 1) return Fail(ProtocolErrors.InvalidRequest, "prompt=none cannot be combined with other values.");

        int? maxAge = null;
        if (p["max_age"] is { } maxAgeText)
        {
            if (!maxAgeText.All(char.IsAsciiDigit))
                return Fail(ProtocolErrors.InvalidRequest, "max_age must be a non-negative number of seconds.");
            // Any non-negative integer is a valid max_age. One beyond int.MaxValue seconds (68 years) is longer than
            // any session lives, so it is held as int.MaxValue: the same decision, without an overflow.
            maxAge = int.TryParse(maxAgeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : int.MaxValue;
        }

        string? hintSubject = null;
        if (p["id_token_hint"] is { } hint)
        {
            var jwt = await tokens.ReadAsync(hint, "JWT");
            if (jwt is null || !jwt.Audiences.Contains(client.ClientId))
                return Fail(ProtocolErrors.InvalidRequest, "id_token_hint is not an ID token this bridge issued to this application.");
            hintSubject = jwt.Subject;
        }

        var resource = p["resource"];
        if (resource is not null && !(IsResourceUri(resource) && resources.Value.IsAllowed(client, resource)))
            return Fail(ProtocolErrors.InvalidTarget, "The resource is not known or not allowed for this application.");

        var dpopJkt = p["dpop_jkt"];
        if (dpopJkt is not null && !DPoPProofValidator.IsThumbprint(dpopJkt))
            return Fail(ProtocolErrors.InvalidRequest, "dpop_jkt must be a SHA-256 JWK thumbprint (RFC 7638), base64url.");

        var loginHint = p["login_hint"];
        var acrValues = p["acr_values"];
        if (loginHint is { Length: > 256 } || acrValues is { Length: > 512 }) return Fail(ProtocolErrors.InvalidRequest, "login_hint or acr_values is too long.");

        ClaimsRequest? claims = null;
        if (p["claims"] is { } claimsText)
        {
            (claims, var claimsProblem) = ClaimsRequest.Parse(claimsText, client.AllowedScopes);
            if (claims is null) return Fail(ProtocolErrors.InvalidRequest, claimsProblem!);
        }

        return AuthorizeValidation.Valid(new AuthorizeRequest
        {
            Parameters = received,
            Client = client,
            Target = target,
            Scopes = scopes,
            Nonce = nonce,
            CodeChallenge = challenge,
            Prompts = prompts,
            MaxAge = maxAge,
            HintSubject = hintSubject,
            LoginHint = loginHint,
            AcrValues = acrValues,
            Claims = claims,
            Resource = resource,
            DPoPJkt = dpopJkt,
            Ticket = context is null ? null : tickets.Read(context, received),
        });
    }

    internal static bool IsResourceUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment) && !value.Contains('#');

    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
