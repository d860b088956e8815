using System.Security.Claims;
using System.Text.RegularExpressions;
using IdentityBridge.RelyingParty;
using Microsoft.AspNetCore.Authentication;

namespace IdentityBridge.Federation;

/// <summary>
/// The bridge's hooks on the upstream handler (resolved per request through <c>EventsType</c>): the identity
/// rules on the token and userinfo, completion of the login, and a clean answer to every failure.
/// </summary>
public sealed partial class XummSignInEvents : OidcClientEvents
{
    public XummSignInEvents(SignInCompletion completion, SignInFailureResponder failures)
    {
        OnTokenValidated = ValidateTokenAsync;
        OnUserInformationReceived = ValidateUserInfoAsync;
        OnTicketReceived = completion.CompleteAsync;
        OnRemoteFailure = context => RespondToRemoteFailureAsync(context, failures);
        OnChallengeFailed = context => RespondToChallengeFailureAsync(context, failures);
    }

    private static Task ValidateTokenAsync(OidcTokenValidatedContext context)
    {
        var subject = context.IdToken.Subject;
        context.IdToken.TryGetPayloadValue<string>("network_type", out var networkType);
        var operation = SignInOperation.From(context.Properties);
        if (XummIdentityRules.CheckToken(subject, networkType, operation?.PinnedNetwork, operation?.HintedWallet) is { } failure)
        {
            context.Fail(new SignInRefusedException(failure, failure.Reason == SignInFailureReason.InvalidIdentity ? null : subject));
            return Task.CompletedTask;
        }
        if (context.Principal?.Identity is ClaimsIdentity identity && XummIdentityRules.NormalizeNetwork(networkType) is { } network)
            identity.AddClaim(new Claim(SignInClaims.Network, network));
        return Task.CompletedTask;
    }

    private static Task ValidateUserInfoAsync(OidcUserInformationReceivedContext context)
    {
        var userInfo = context.User.RootElement;
        if (XummIdentityRules.CheckUserInfo(userInfo) is { } failure)
        {
            context.Fail(new SignInRefusedException(failure, context.IdToken.Subject));
            return Task.CompletedTask;
        }
        if (context.Principal?.Identity is not ClaimsIdentity identity) return Task.CompletedTask;
        var profile = XummIdentityRules.ReadProfile(userInfo);
        if (profile.KycApproved) identity.AddClaim(new Claim(SignInClaims.KycApproved, "true"));
        if (profile.Name is not null) identity.AddClaim(new Claim(SignInClaims.Name, profile.Name));
        if (profile.Picture is not null) identity.AddClaim(new Claim(SignInClaims.Picture, profile.Picture));
        return Task.CompletedTask;
    }

    private static async Task RespondToRemoteFailureAsync(RemoteFailureContext context, SignInFailureResponder failures)
    {
        context.HandleResponse();
        var failure = SignInFailureClassifier.Classify(context.Failure);
        var upstream = context.Failure is OidcClientFailureException oidc && ErrorCode().IsMatch(oidc.Error) ? oidc.Error : null;
        var wallet = (context.Failure as SignInRefusedException)?.Wallet;
        await failures.RespondAsync(context.HttpContext, SignInOperation.From(context.Properties), failure, wallet, upstream);
    }

    private static async Task RespondToChallengeFailureAsync(OidcChallengeFailedContext context, SignInFailureResponder failures)
    {
        context.HandleResponse();
        var failure = SignInFailureClassifier.Classify(context.Failure);
        await failures.RespondAsync(context.HttpContext, SignInOperation.From(context.Properties), failure, upstreamError: context.Failure.Error);
    }

    /// <summary>Upstream error codes are recorded only when they look like one.</summary>
    [GeneratedRegex("^[a-z_]{1,64}$")]
    private static partial Regex ErrorCode();
}
