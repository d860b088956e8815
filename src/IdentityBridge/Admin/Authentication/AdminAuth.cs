using System.Security.Claims;

namespace IdentityBridge.Admin.Authentication;

/// <summary>Names of the admin authentication scheme, policies and scope.</summary>
public static class AdminAuth
{
    /// <summary>Bearer access tokens issued by this bridge, for the admin API.</summary>
    public const string BearerScheme = "bridge.admin-bearer";
    /// <summary>The scope an access token needs to call the admin API.</summary>
    public const string Scope = Provider.AdminApiResource.Scope;

    /// <summary>Admin API: a bearer token with the scope, of an admin account or of a client.</summary>
    public const string ApiPolicy = "bridge.admin.api";
    /// <summary>Admin console: a live bridge session of an account holding the admin role.</summary>
    public const string ConsolePolicy = "bridge.admin.console";
    /// <summary>Read-only helpers the console's script calls: either of the above.</summary>
    public const string AnyPolicy = "bridge.admin.any";

    /// <summary>HttpContext.Items key of the acting admin (account id or client id), set on success.</summary>
    internal const string ActorItem = "bridge.admin.actor";
    /// <summary>HttpContext.Items key of why authorization failed (<see cref="AdminDenial"/>).</summary>
    internal const string DenialItem = "bridge.admin.denial";
}

/// <summary>Why an authenticated caller was refused.</summary>
public enum AdminDenial
{
    /// <summary>The token lacks the bridge.admin scope.</summary>
    InsufficientScope,
    /// <summary>The account is not an admin, is disabled, or the client is unknown or disabled.</summary>
    NotAdmin,
    /// <summary>The session behind the cookie has ended: sign in again.</summary>
    SessionEnded,
}

/// <summary>Who is acting, for the audit trail.</summary>
public static class AdminActor
{
    public static string Of(HttpContext context) =>
        context.Items[AdminAuth.ActorItem] as string
        ?? context.User.FindFirstValue("sub")
        ?? "unknown";
}
