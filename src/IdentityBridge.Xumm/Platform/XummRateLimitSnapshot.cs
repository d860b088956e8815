namespace IdentityBridge.Xumm;

/// <summary>The platform's rate-limit figures as last reported, and any hold the client keeps.</summary>
/// <param name="Limit">Calls allowed per window (<c>X-RateLimit-Limit</c>), when reported.</param>
/// <param name="Remaining">Calls left in the window (<c>X-RateLimit-Remaining</c>), when reported.</param>
/// <param name="BlockedUntil">Calls hold back until this moment, after a 429 or an exhausted quota.</param>
/// <param name="ObservedAt">When the figures were last read from an answer.</param>
public sealed record XummRateLimitSnapshot(int? Limit, int? Remaining, DateTimeOffset? BlockedUntil, DateTimeOffset? ObservedAt);
