namespace XummSimulator;

public static class XummSimulatorDefaults
{
    /// <summary>
    /// Name of the <see cref="System.Net.Http.HttpClient"/> that delivers webhooks. A host (or a test) can
    /// configure it, for example to give it a primary handler.
    /// </summary>
    public const string WebhookHttpClientName = "XummSimulator.Webhooks";

    /// <summary>The configuration section the standalone simulator binds its options from.</summary>
    public const string ConfigurationSection = "Simulator";
}
