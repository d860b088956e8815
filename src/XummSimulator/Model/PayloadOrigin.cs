namespace XummSimulator.Model;

public enum PayloadOrigin
{
    /// <summary>Created with <c>POST /api/v1/platform/payload</c>.</summary>
    PlatformApi,

    /// <summary>Created by <c>/auth</c> for an OAuth2 sign-in.</summary>
    OAuth2,
}
