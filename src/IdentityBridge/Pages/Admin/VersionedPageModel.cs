using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;

namespace IdentityBridge.Pages.Admin;

/// <summary>
/// A console page that shows one client or account and changes it through small forms (enable, delete, ...). Each of
/// them carries the entity tag of the version the page showed, in a hidden <c>Version</c> field, and the change is
/// made under it (<see cref="ShownVersion"/>): posted from a page older than the thing, it is refused with the
/// conflict message of <see cref="AdminPageModel.Show"/>, not applied to a version its sender never saw.
/// </summary>
public abstract class VersionedPageModel : AdminPageModel
{
    /// <summary>The entity tag of the client or account the page showed, as posted back by the form.</summary>
    [BindProperty] public string? Version { get; set; }

    /// <summary>The condition a change posted from this page is made under.</summary>
    protected IfMatch? ShownVersion => FormVersion(Version);
}
