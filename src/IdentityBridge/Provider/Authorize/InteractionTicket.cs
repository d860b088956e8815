using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;

namespace IdentityBridge.Provider.Authorize;

/// <summary>
/// Progress of one authorization request through login and consent, carried in the resumed authorize
/// URL as the data-protected <see cref="InteractionTickets.Parameter"/>: the login started at
/// <see cref="LoginAfter"/> (a session authenticated since then satisfies prompt=login and max_age), and
/// the consent the user just gave on the consent page. Without it, prompt=login or prompt=consent would
/// send the user round in circles; being protected, it cannot be forged to skip either step.
/// </summary>
public sealed record InteractionTicket(
    [property: JsonPropertyName("l")] long? LoginAfter,
    [property: JsonPropertyName("ca")] string? ConsentAccount,
    [property: JsonPropertyName("cc")] string? ConsentClient,
    [property: JsonPropertyName("cs")] string? ConsentScopes,
    [property: JsonPropertyName("ct")] long? ConsentAt,
    [property: JsonPropertyName("i")] long IssuedAt);

public sealed class InteractionTickets(IDataProtectionProvider dataProtection)
{
    public const string Parameter = "bridge_interaction";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);
    private readonly IDataProtector _protector = dataProtection.CreateProtector("IdentityBridge.AuthorizeInteraction.v1");

    public string Protect(InteractionTicket ticket) => _protector.Protect(JsonSerializer.Serialize(ticket));

    /// <summary>The ticket, or null when absent, forged or older than <see cref="Lifetime"/>.</summary>
    public InteractionTicket? Unprotect(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 4096) return null;
        try
        {
            var ticket = JsonSerializer.Deserialize<InteractionTicket>(_protector.Unprotect(value));
            if (ticket is null) return null;
            var issued = DateTimeOffset.FromUnixTimeMilliseconds(ticket.IssuedAt);
            return issued <= now + TimeSpan.FromMinutes(1) && now - issued <= Lifetime ? ticket : null;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException or FormatException or ArgumentException)
        {
            return null;
        }
    }
}
