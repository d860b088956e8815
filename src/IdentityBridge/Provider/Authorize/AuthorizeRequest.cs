using IdentityBridge.Provider.Clients;
using IdentityBridge.Provider.Protocol;

namespace IdentityBridge.Provider.Authorize;

/// <summary>An authorization request that passed validation (OIDC Core §3.1.2.2).</summary>
public sealed class AuthorizeRequest
{
    /// <summary>
    /// Every parameter as received (to rebuild the URL for the login and consent round trips): for a pushed request,
    /// the client_id and request_uri that name it, not what was pushed; for a request object, the object's parameters.
    /// </summary>
    public required OAuthParameters Parameters { get; init; }
    public required RegisteredClient Client { get; init; }
    public required RedirectTarget Target { get; init; }
    public required IReadOnlyList<string> Scopes { get; init; }
    public string? Nonce { get; init; }
    public string? CodeChallenge { get; init; }
    public required IReadOnlySet<string> Prompts { get; init; }
    public int? MaxAge { get; init; }
    /// <summary>The <c>sub</c> of a valid id_token_hint.</summary>
    public string? HintSubject { get; init; }
    public string? LoginHint { get; init; }
    public string? AcrValues { get; init; }
    /// <summary>The claims parameter (OIDC Core §5.5), when the request has one.</summary>
    public ClaimsRequest? Claims { get; init; }
    public string? Resource { get; init; }
    /// <summary>RFC 9449 §10: the JWK thumbprint the code is bound to.</summary>
    public string? DPoPJkt { get; init; }
    /// <summary>Progress of this request through login and consent, when it comes back from them.</summary>
    public InteractionTicket? Ticket { get; init; }

    public bool HasPrompt(string prompt) => Prompts.Contains(prompt);

    /// <summary>The scopes the user consents to: those requested, and those of the claims asked for by name.</summary>
    public IReadOnlyList<string> ConsentScopes => Claims is null ? Scopes : Scopes.Union(Claims.Scopes, StringComparer.Ordinal).ToList();
}

/// <summary>Where and how authorization responses for a trusted client_id + redirect_uri pair are sent.</summary>
public sealed record RedirectTarget(RegisteredClient Client, string RedirectUri, string ResponseMode, string? State);

/// <summary>The outcome of validating an authorization request: a request, or an error with where to send it.</summary>
public sealed record AuthorizeValidation(AuthorizeRequest? Request, ProtocolError? Error, RedirectTarget? ErrorTarget)
{
    public static AuthorizeValidation Valid(AuthorizeRequest request) => new(request, null, null);
    /// <summary>An error that must not be redirected (client or redirect URI not trusted): an error page.</summary>
    public static AuthorizeValidation Page(ProtocolError error) => new(null, error, null);
    public static AuthorizeValidation Redirect(ProtocolError error, RedirectTarget target) => new(null, error, target);
}

public static class ResponseModes
{
    public const string Query = "query";
    public const string FormPost = "form_post";
    public static readonly IReadOnlyList<string> Supported = [Query, FormPost];
}

public static class Prompts
{
    public const string None = "none";
    public const string Login = "login";
    public const string Consent = "consent";
    public const string SelectAccount = "select_account";
    public static readonly IReadOnlyList<string> Supported = [None, Login, Consent, SelectAccount];
}
