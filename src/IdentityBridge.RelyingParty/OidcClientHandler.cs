using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using IdentityBridge.RelyingParty.Protocol;
using IdentityBridge.RelyingParty.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace IdentityBridge.RelyingParty;

/// <summary>
/// OpenID Connect authorization-code client built on <see cref="OAuthHandler{TOptions}"/> (correlation cookie,
/// protected state): sends a nonce and PKCE S256 on every challenge, validates the ID token strictly, copes with
/// the provider quirks listed on <see cref="OidcClientOptions"/>, and supports RP-initiated logout.
/// </summary>
public sealed partial class OidcClientHandler : OAuthHandler<OidcClientOptions>, IAuthenticationSignOutHandler
{
    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal)
    {
        "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge",
        "code_challenge_method", "response_mode", "request", "request_uri",
    };

    /// <summary>Creates the handler.</summary>
    public OidcClientHandler(IOptionsMonitor<OidcClientOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : base(options, logger, encoder)
    {
    }

    private new OidcClientEvents Events
    {
        get => (OidcClientEvents)base.Events;
        set => base.Events = value;
    }

    /// <inheritdoc />
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new OidcClientEvents());

    /// <inheritdoc />
    public override async Task<bool> HandleRequestAsync()
    {
        if (Options.SignedOutCallbackPath.HasValue && Options.SignedOutCallbackPath == Request.Path)
        {
            HandleSignedOutCallback();
            return true;
        }

        return await base.HandleRequestAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (string.IsNullOrEmpty(properties.RedirectUri))
        {
            properties.RedirectUri = OriginalPathBase + OriginalPath + Request.QueryString;
        }

        var authorizationEndpoint = Options.AuthorizationEndpoint;
        if (string.IsNullOrEmpty(authorizationEndpoint))
        {
            var (configuration, failure) = await GetConfigurationAsync().ConfigureAwait(false);
            authorizationEndpoint = configuration?.AuthorizationEndpoint;
            if (string.IsNullOrEmpty(authorizationEndpoint))
            {
                failure ??= new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, "The provider's metadata has no authorization_endpoint.");
                await ChallengeFailedAsync(properties, failure).ConfigureAwait(false);
                return;
            }
        }

        GenerateCorrelationId(properties);
        var parameters = BuildAuthorizationParameters(properties);

        var preparing = new OidcAuthorizationRequestContext(Context, Scheme, Options, properties, authorizationEndpoint, parameters);
        await Events.PreparingAuthorizationRequest(preparing).ConfigureAwait(false);

        parameters["state"] = Options.StateDataFormat.Protect(properties);
        var url = QueryHelpers.AddQueryString(authorizationEndpoint, parameters!);
        var redirect = new RedirectContext<OAuthOptions>(Context, Scheme, Options, properties, url);
        await Events.RedirectToAuthorizationEndpoint(redirect).ConfigureAwait(false);
    }

    private Dictionary<string, string> BuildAuthorizationParameters(AuthenticationProperties properties)
    {
        var scopes = new List<string>(properties.GetParameter<ICollection<string>>(OAuthChallengeProperties.ScopeKey) ?? Options.Scope);
        if (!scopes.Contains("openid"))
        {
            scopes.Insert(0, "openid");
        }

        var nonce = ProtocolRandom.CreateToken();
        properties.Items[OidcClientDefaults.NonceItemKey] = nonce;

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["response_type"] = "code",
            ["client_id"] = Options.ClientId,
            ["redirect_uri"] = CallbackUri(Options.CallbackPath),
            ["scope"] = FormatScope(scopes),
            ["nonce"] = nonce,
        };

        if (Options.UsePkce)
        {
            var verifier = ProtocolRandom.CreateToken();
            properties.Items[OAuthConstants.CodeVerifierKey] = verifier;
            parameters[OAuthConstants.CodeChallengeKey] = ProtocolRandom.S256Challenge(verifier);
            parameters[OAuthConstants.CodeChallengeMethodKey] = OAuthConstants.CodeChallengeMethodS256;
        }

        foreach (var (name, value) in Options.AdditionalAuthorizationParameters)
        {
            AddExtraParameter(parameters, name, value);
        }

        foreach (var (key, value) in properties.Parameters)
        {
            if (key.StartsWith(OidcClientDefaults.AuthorizationParameterPrefix, StringComparison.Ordinal) && value is string text)
            {
                AddExtraParameter(parameters, key[OidcClientDefaults.AuthorizationParameterPrefix.Length..], text);
            }
        }

        foreach (var key in properties.Items.Keys.Where(k => k.StartsWith(OidcClientDefaults.AuthorizationParameterPrefix, StringComparison.Ordinal)).ToList())
        {
            if (properties.Items[key] is { } text)
            {
                AddExtraParameter(parameters, key[OidcClientDefaults.AuthorizationParameterPrefix.Length..], text);
            }

            properties.Items.Remove(key); // sent once, not carried in the state
        }

        return parameters;
    }

    private void AddExtraParameter(Dictionary<string, string> parameters, string name, string value)
    {
        if (name.Length == 0 || ReservedParameters.Contains(name))
        {
            Logger.LogWarning("Ignored the authorization parameter '{Parameter}': it is set by the handler.", name);
            return;
        }

        parameters[name] = value;
    }

    private async Task ChallengeFailedAsync(AuthenticationProperties properties, OidcClientFailureException failure)
    {
        Logger.LogWarning("Challenge for {Scheme} not sent: {Error} {Description}", Scheme.Name, failure.Error, failure.ErrorDescription);
        var context = new OidcChallengeFailedContext(Context, Scheme, Options, properties, failure);
        await Events.ChallengeFailed(context).ConfigureAwait(false);
        if (!context.Handled && !Response.HasStarted)
        {
            Response.StatusCode = OidcFailureResponses.StatusCodeFor(failure.Error);
        }
    }

    /// <inheritdoc />
    protected override async Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
    {
        if (!HttpMethods.IsGet(Request.Method))
        {
            return Fail(OidcClientErrors.InvalidRequest, "The callback must be a GET request.");
        }

        var query = Request.Query;
        var state = query["state"].ToString();
        var properties = string.IsNullOrEmpty(state) ? null : Options.StateDataFormat.Unprotect(state);
        if (properties is null)
        {
            return Fail(OidcClientErrors.InvalidState, "The state parameter is missing or invalid.");
        }

        if (!ValidateCorrelationId(properties))
        {
            return Fail(OidcClientErrors.InvalidState, "The correlation cookie is missing or was already used.", properties);
        }

        var error = query["error"].ToString();
        if (!string.IsNullOrEmpty(error))
        {
            return await RemoteErrorAsync(error, query["error_description"].ToString(), query["error_uri"].ToString(), properties).ConfigureAwait(false);
        }

        if (query.TryGetValue("iss", out var iss) && !string.Equals(iss.ToString(), Options.EffectiveIssuer, StringComparison.Ordinal))
        {
            return Fail(OidcClientErrors.InvalidRequest, "The authorization response names another issuer.", properties);
        }

        var code = ReadCode(query, out var codeProblem);
        if (code is null)
        {
            return Fail(OidcClientErrors.InvalidRequest, codeProblem!, properties);
        }

        var nonce = TakeItem(properties, OidcClientDefaults.NonceItemKey);
        var codeVerifier = TakeItem(properties, OAuthConstants.CodeVerifierKey);
        if (string.IsNullOrEmpty(nonce) || (Options.UsePkce && string.IsNullOrEmpty(codeVerifier)))
        {
            return Fail(OidcClientErrors.InvalidState, "The state does not carry the nonce or PKCE verifier.", properties);
        }

        var (configuration, metadataFailure) = await GetConfigurationAsync().ConfigureAwait(false);
        if (configuration is null)
        {
            return HandleRequestResult.Fail(metadataFailure!, properties);
        }

        var tokenEndpoint = string.IsNullOrEmpty(Options.TokenEndpoint) ? configuration.TokenEndpoint : Options.TokenEndpoint;
        if (string.IsNullOrEmpty(tokenEndpoint))
        {
            return Fail(OidcClientErrors.TemporarilyUnavailable, "The provider's metadata has no token_endpoint.", properties);
        }

        var grant = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = CallbackUri(Options.CallbackPath),
        };
        if (!string.IsNullOrEmpty(codeVerifier))
        {
            grant[OAuthConstants.CodeVerifierKey] = codeVerifier;
        }

        using var tokens = await TokenEndpointClient.RequestAsync(Options, tokenEndpoint, grant, TimeProvider, Logger, Context.RequestAborted).ConfigureAwait(false);
        if (tokens.Error is not null)
        {
            return HandleRequestResult.Fail(tokens.Error, properties);
        }

        var tokenSet = TokenSet.Read(tokens.Response!.RootElement, requireIdToken: true, out var tokenFailure);
        if (tokenSet is null)
        {
            return HandleRequestResult.Fail(tokenFailure!, properties);
        }

        var validation = await OidcIdTokenValidator.ValidateAsync(Options, tokenSet.IdToken!, nonce, TimeProvider, Logger, Context.RequestAborted).ConfigureAwait(false);
        if (!validation.Succeeded)
        {
            Logger.LogWarning("ID token refused for {Scheme}: {Description}", Scheme.Name, validation.Failure.ErrorDescription);
            return HandleRequestResult.Fail(validation.Failure, properties);
        }

        return await CompleteSignInAsync(properties, tokens, tokenSet, validation.Token, configuration).ConfigureAwait(false);
    }

    private async Task<HandleRequestResult> CompleteSignInAsync(
        AuthenticationProperties properties,
        OAuthTokenResponse tokens,
        TokenSet tokenSet,
        JsonWebToken idToken,
        OpenIdConnectConfiguration configuration)
    {
        var identity = new ClaimsIdentity(Scheme.Name, "name", "role");
        identity.AddClaim(new Claim("sub", idToken.Subject, ClaimValueTypes.String, ClaimsIssuer));
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, idToken.Subject, ClaimValueTypes.String, ClaimsIssuer));
        identity.AddClaim(new Claim("iss", idToken.Issuer, ClaimValueTypes.String, ClaimsIssuer));

        using var idTokenPayload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(idToken.EncodedPayload));
        RunClaimActions(idTokenPayload.RootElement, identity);
        var principal = new ClaimsPrincipal(identity);

        var validated = new OidcTokenValidatedContext(Context, Scheme, Options, principal, properties, tokens, idToken);
        await Events.TokenValidated(validated).ConfigureAwait(false);
        if (Outcome(validated) is { } validatedOutcome)
        {
            return validatedOutcome;
        }

        principal = validated.Principal ?? principal;
        properties = validated.Properties ?? properties;

        JsonDocument? userInfo = null;
        try
        {
            if (Options.GetClaimsFromUserInfoEndpoint)
            {
                var endpoint = string.IsNullOrEmpty(Options.UserInformationEndpoint) ? configuration.UserInfoEndpoint : Options.UserInformationEndpoint;
                var (document, failure) = await GetUserInfoAsync(endpoint, tokenSet.AccessToken, idToken.Subject).ConfigureAwait(false);
                if (document is null)
                {
                    return HandleRequestResult.Fail(failure!, properties);
                }

                userInfo = document;
                var received = new OidcUserInformationReceivedContext(Context, Scheme, Options, principal, properties, userInfo, idToken);
                await Events.UserInformationReceived(received).ConfigureAwait(false);
                if (Outcome(received) is { } receivedOutcome)
                {
                    return receivedOutcome;
                }

                principal = received.Principal ?? principal;
                properties = received.Properties ?? properties;
                if (principal.Identity is ClaimsIdentity current)
                {
                    RunClaimActions(userInfo.RootElement, current);
                }
            }

            if (Options.SaveTokens)
            {
                SaveTokens(properties, tokenSet);
            }

            var creating = new OAuthCreatingTicketContext(
                principal, properties, Context, Scheme, Options, Backchannel, tokens, (userInfo ?? idTokenPayload).RootElement);
            await Events.CreatingTicket(creating).ConfigureAwait(false);

            return HandleRequestResult.Success(new AuthenticationTicket(creating.Principal ?? principal, creating.Properties, Scheme.Name));
        }
        finally
        {
            userInfo?.Dispose();
        }
    }

    private async Task<(JsonDocument? Document, OidcClientFailureException? Failure)> GetUserInfoAsync(string? endpoint, string accessToken, string subject)
    {
        if (string.IsNullOrEmpty(endpoint))
        {
            return (null, new OidcClientFailureException(OidcClientErrors.InvalidUserInfo, "The provider has no userinfo_endpoint."));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("application/json"));
        var response = await Protocol.Backchannel.SendAsync(
            Backchannel, request, Options.BackchannelTimeout, TimeProvider, "userinfo", Logger, Context.RequestAborted).ConfigureAwait(false);
        if (response.Failure is not null)
        {
            return (null, response.Failure);
        }

        if (!response.IsSuccessStatusCode)
        {
            return (null, response.IsServerError
                ? new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, $"The userinfo endpoint answered HTTP {(int)response.StatusCode}.")
                : new OidcClientFailureException(OidcClientErrors.InvalidUserInfo, $"The userinfo endpoint answered HTTP {(int)response.StatusCode}."));
        }

        var document = TokenEndpointClient.TryParseObject(response.Body);
        if (document is null)
        {
            return (null, new OidcClientFailureException(OidcClientErrors.InvalidUserInfo, "The userinfo response is not a JSON object."));
        }

        if (!string.Equals(TokenEndpointClient.StringOrNull(document.RootElement, "sub"), subject, StringComparison.Ordinal))
        {
            document.Dispose();
            return (null, new OidcClientFailureException(OidcClientErrors.InvalidUserInfo, "The userinfo sub differs from the ID token's."));
        }

        return (document, null);
    }

    private void RunClaimActions(JsonElement source, ClaimsIdentity identity)
    {
        foreach (var action in Options.ClaimActions)
        {
            action.Run(source, identity, ClaimsIssuer);
        }
    }

    private void SaveTokens(AuthenticationProperties properties, TokenSet tokenSet)
    {
        var stored = new List<AuthenticationToken>
        {
            new() { Name = "access_token", Value = tokenSet.AccessToken },
            new() { Name = "token_type", Value = tokenSet.TokenType },
        };
        if (tokenSet.IdToken is not null)
        {
            stored.Add(new AuthenticationToken { Name = "id_token", Value = tokenSet.IdToken });
        }

        if (tokenSet.RefreshToken is not null)
        {
            stored.Add(new AuthenticationToken { Name = "refresh_token", Value = tokenSet.RefreshToken });
        }

        if (tokenSet.ExpiresIn is { } lifetime)
        {
            var expiresAt = TimeProvider.GetUtcNow() + lifetime;
            stored.Add(new AuthenticationToken { Name = "expires_at", Value = expiresAt.ToString("o", CultureInfo.InvariantCulture) });
        }

        properties.StoreTokens(stored);
    }

    private async Task<HandleRequestResult> RemoteErrorAsync(string error, string description, string uri, AuthenticationProperties properties)
    {
        if (string.Equals(error, OidcClientErrors.AccessDenied, StringComparison.Ordinal))
        {
            var denied = await HandleAccessDeniedErrorAsync(properties).ConfigureAwait(false);
            if (!denied.None)
            {
                return denied;
            }
        }

        Logger.LogInformation("The provider answered the authorization request with {Error}.", error);
        return HandleRequestResult.Fail(
            new OidcClientFailureException(error, NullIfEmpty(description), NullIfEmpty(uri)), properties);
    }

    private static string? ReadCode(IQueryCollection query, out string? problem)
    {
        problem = null;
        var code = query["code"];
        var alternate = query["authorization_code"];
        if (code.Count > 1 || alternate.Count > 1)
        {
            problem = "The callback carries the code more than once.";
            return null;
        }

        var value = code.ToString();
        var other = alternate.ToString();
        if (!string.IsNullOrEmpty(value) && !string.IsNullOrEmpty(other) && !string.Equals(value, other, StringComparison.Ordinal))
        {
            problem = "The callback carries two different codes.";
            return null;
        }

        value = string.IsNullOrEmpty(value) ? other : value;
        if (string.IsNullOrEmpty(value))
        {
            problem = "The callback carries no code.";
            return null;
        }

        return value;
    }

    private async Task<(OpenIdConnectConfiguration? Configuration, OidcClientFailureException? Failure)> GetConfigurationAsync()
    {
        if (Options.ConfigurationManager is not { } manager)
        {
            return (null, new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, "No metadata source is configured."));
        }

        try
        {
            return (await manager.GetConfigurationAsync(Context.RequestAborted).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Logger.LogWarning(ex, "The metadata of {Scheme} is unavailable.", Scheme.Name);
            return (null, new OidcClientFailureException(OidcClientErrors.TemporarilyUnavailable, "The provider's metadata is unavailable.", innerException: ex));
        }
    }

    /// <summary>An absolute URL of one of this client's callback paths: under <c>PublicBaseUrl</c> when set, else the request's.</summary>
    private string CallbackUri(PathString path) =>
        string.IsNullOrEmpty(Options.PublicBaseUrl) ? BuildRedirectUri(path) : Options.PublicBaseUrl.TrimEnd('/') + path;

    private static HandleRequestResult? Outcome(RemoteAuthenticationContext<OidcClientOptions> context)
    {
        if (context.Result is not { } result)
        {
            return null;
        }

        if (result.Handled)
        {
            return HandleRequestResult.Handle();
        }

        if (result.Skipped)
        {
            return HandleRequestResult.SkipHandler();
        }

        return result.Failure is not null ? HandleRequestResult.Fail(result.Failure, context.Properties) : null;
    }

    private static HandleRequestResult Fail(string error, string description, AuthenticationProperties? properties = null) =>
        HandleRequestResult.Fail(new OidcClientFailureException(error, description), properties);

    private static string? TakeItem(AuthenticationProperties properties, string key)
    {
        properties.Items.TryGetValue(key, out var value);
        properties.Items.Remove(key);
        return value;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
