namespace XummSimulator;

/// <summary>Sign-ins at <c>/auth</c> are approved at once by <paramref name="Account"/>.</summary>
/// <param name="Account">The r-address that approves.</param>
/// <param name="Network">The network it signs on, or null for the configured default.</param>
/// <param name="Once">Applies to the next sign-in only.</param>
public sealed record XummAutoApprove(string Account, string? Network, bool Once);
