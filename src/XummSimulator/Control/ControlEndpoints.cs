using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using XummSimulator.Internal;
using XummSimulator.Model;
using XummSimulator.Platform;

namespace XummSimulator.Control;

/// <summary>
/// <c>/_sim/...</c>: automation for tests. Plays the wallet (open, approve, reject), the clock
/// (expire), the user (revoke a token, open an xApp) and the operator (faults, auto-approve, reset).
/// No authentication: never expose these outside a test setup.
/// </summary>
internal static class ControlEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.DisableAntiforgery();
        group.MapGet("/payloads", ListPayloads);
        group.MapGet("/payloads/{uuid}", GetPayload);
        group.MapPost("/payloads/{uuid}/approve", Approve);
        group.MapPost("/payloads/{uuid}/reject", (string uuid, XummSimulatorState state) => Outcome(state.Reject(uuid)));
        group.MapPost("/payloads/{uuid}/expire", (string uuid, XummSimulatorState state) => Outcome(state.Expire(uuid)));
        group.MapPost("/payloads/{uuid}/open", (string uuid, OpenRequest? body, XummSimulatorState state) =>
            Outcome(state.Open(uuid, body?.Deeplink ?? false)));

        group.MapGet("/user-tokens", (XummSimulatorState state) => Results.Json(state.UserTokens().Select(t => UserToken(t, state))));
        group.MapDelete("/user-tokens/{token}", (string token, XummSimulatorState state) =>
            state.RevokeUserToken(token) ? Results.NoContent() : Error(StatusCodes.Status404NotFound, "not_found", "No such user token."));
        group.MapPost("/user-tokens/{token}/expire", (string token, XummSimulatorState state) =>
            state.ExpireUserToken(token) ? Results.NoContent() : Error(StatusCodes.Status404NotFound, "not_found", "No such user token."));

        group.MapPost("/xapp/ott", IssueOneTimeToken);
        group.MapPost("/wallets", CreateWallet);

        group.MapGet("/faults", (XummSimulatorState state) => Results.Json(state.Faults));
        group.MapPost("/faults", SetFaults);
        group.MapDelete("/faults", (XummSimulatorState state) =>
        {
            state.ResetFaults();
            return Results.Json(state.Faults);
        });

        group.MapGet("/auto-approve", (XummSimulatorState state) => Results.Json(state.AutoApprove));
        group.MapPost("/auto-approve", (AutoApproveRequest? body, XummSimulatorState state) =>
            Outcome(state.SetAutoApprove(body?.Account, body?.Network, body?.Once ?? false)));
        group.MapDelete("/auto-approve", (XummSimulatorState state) => Outcome(state.SetAutoApprove(null)));

        group.MapGet("/webhooks", (XummSimulatorState state) => Results.Json(state.WebhookAttempts()));
        group.MapPost("/reset", (XummSimulatorState state, PlatformRateLimiter limiter) =>
        {
            state.Reset();
            limiter.Reset();
            return Results.NoContent();
        });
    }

    private static IResult ListPayloads(XummSimulatorState state, string? status, string? origin)
    {
        var now = state.Time.GetUtcNow();
        var payloads = state.Payloads()
            .Where(p => status is null || string.Equals(p.StatusAt(now).ToString(), status, StringComparison.OrdinalIgnoreCase))
            .Where(p => origin is null || string.Equals(p.Origin.ToString(), origin, StringComparison.OrdinalIgnoreCase))
            .Select(p => state.WithLock(() => Summary(p, now)));
        return Results.Json(payloads.ToList());
    }

    private static IResult GetPayload(string uuid, XummSimulatorState state)
    {
        var payload = state.FindPayload(uuid);
        return payload is null
            ? Error(StatusCodes.Status404NotFound, "not_found", "No such payload.")
            : Results.Json(state.WithLock(() => Summary(payload, state.Time.GetUtcNow())));
    }

    private static IResult Approve(string uuid, ApproveRequest? body, XummSimulatorState state)
    {
        if (string.IsNullOrWhiteSpace(body?.Account))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "account is required.");
        }

        return Outcome(state.Approve(uuid, body.Account.Trim(), body.Network, body.Deeplink ?? false));
    }

    private static IResult IssueOneTimeToken(OneTimeTokenRequest? body, XummSimulatorState state)
    {
        var apiKey = body?.ApiKey ?? state.Options.Apps.FirstOrDefault()?.ApiKey;
        if (apiKey is null || state.FindApp(apiKey) is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Unknown apiKey.");
        }

        if (!XrplAddress.IsValid(body?.Account))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "account must be a valid r-address.");
        }

        if (body!.Network is { } network && !XummNetworks.TryFind(network, out _))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", $"Unknown network '{network}'.");
        }

        var token = state.IssueXAppOneTimeToken(apiKey, body.Account!, body.Network, body.Locale ?? "en", body.Style ?? "LIGHT");
        return Results.Json(new { ott = token, apiKey });
    }

    private static IResult CreateWallet(WalletRequest? body, XummSimulatorState state)
    {
        SimulatedKeyType? keyType = (body?.KeyType ?? "secp256k1").ToLowerInvariant() switch
        {
            "secp256k1" => SimulatedKeyType.Secp256k1,
            "ed25519" => SimulatedKeyType.Ed25519,
            _ => null,
        };
        if (keyType is not { } type)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "keyType must be secp256k1 or ed25519.");
        }

        var wallet = state.CreateWallet(type);
        return Results.Json(new { account = wallet.Address, keyType = type.ToString().ToLowerInvariant(), publicKey = wallet.PublicKey });
    }

    private static IResult SetFaults(FaultsRequest? body, XummSimulatorState state)
    {
        if (body is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Expected a JSON object.");
        }

        if (body.DelayMs is < 0 || body.BlockedAccounts?.Any(a => !XrplAddress.IsValid(a)) == true)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "delayMs must not be negative and blockedAccounts must be r-addresses.");
        }

        if (body.RotateKey == true)
        {
            state.RotateSigningKey();
        }

        state.UpdateFaults(f => f with
        {
            SignWithUnknownKey = body.SignWithUnknownKey ?? f.SignWithUnknownKey,
            ExpiredTokens = body.ExpiredTokens ?? f.ExpiredTokens,
            Status500 = body.Status500 ?? f.Status500,
            DelayMs = body.DelayMs ?? f.DelayMs,
            IncludeKeyId = body.IncludeKeyId ?? f.IncludeKeyId,
            KeyIdInToken = body.KeyIdInToken ?? f.KeyIdInToken,
            KeyIdInKeySet = body.KeyIdInKeySet ?? f.KeyIdInKeySet,
            IgnoreSigners = body.IgnoreSigners ?? f.IgnoreSigners,
            IgnoreForceNetwork = body.IgnoreForceNetwork ?? f.IgnoreForceNetwork,
            ForgedSignIn = body.ForgedSignIn ?? f.ForgedSignIn,
            BlockedAccounts = body.BlockedAccounts is { } added
                ? new HashSet<string>(f.BlockedAccounts.Concat(added), StringComparer.Ordinal)
                : f.BlockedAccounts,
        });
        return Results.Json(state.Faults);
    }

    private static object Summary(SimulatedPayload p, DateTimeOffset now) => new
    {
        uuid = p.Uuid,
        apiKey = p.ApiKey,
        origin = p.Origin.ToString(),
        status = p.StatusAt(now).ToString(),
        txType = p.Draft.TxType,
        createdAt = p.CreatedAt,
        expiresAt = p.ExpiresAt,
        pushed = p.Pushed,
        opened = p.Opened,
        openedByDeeplink = p.OpenedByDeeplink,
        account = p.Account,
        network = p.Network?.Name,
        forceNetwork = p.Draft.ForceNetwork?.Name,
        signers = p.Draft.Signers,
        customIdentifier = p.Draft.CustomIdentifier,
        issuedUserToken = p.IssuedUserToken,
        txid = p.TxId,
    };

    private static object UserToken(SimulatedUserToken t, XummSimulatorState state) => new
    {
        userToken = t.Token,
        apiKey = t.ApiKey,
        account = t.Account,
        issuedAt = t.IssuedAt,
        expiresAt = t.ExpiresAt,
        revoked = t.Revoked,
        active = t.IsActive(state.Time.GetUtcNow()),
    };

    private static IResult Outcome(XummSimulatorResult result) => result.Succeeded
        ? Results.Json(new { ok = true })
        : Error(
            result.Error switch
            {
                "not_found" => StatusCodes.Status404NotFound,
                "invalid_account" or "invalid_network" => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status409Conflict,
            },
            result.Error!,
            result.Description ?? "");

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);
}
