using System.Net;

namespace LoadDriver;

/// <summary>
/// What one simulated client carries between its requests: a cookie jar (its browser session at the
/// provider), its refresh-token chains and an access token. A closed-loop worker owns one slot; the
/// open loop gives each slot its own schedule, so a slot is never used by two requests at once.
/// </summary>
public sealed class WorkerSlot(int index)
{
    public int Index { get; } = index;

    public CookieContainer Cookies { get; } = new();

    /// <summary>The current refresh token of each chain this slot drives, used in turn.</summary>
    public Queue<string> Chains { get; } = new();

    public string? AccessToken { get; set; }
}
