using System.Globalization;
using IdentityBridge.Admin.Authentication;
using IdentityBridge.Admin.Services;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityBridge.Pages.Admin;

/// <summary>What every console page shares: the acting admin, one-shot notices, error display.</summary>
public abstract class AdminPageModel : PageModel
{
    /// <summary>A message shown once on the next page (after a redirect).</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>A refusal to show on this page (not tied to one field).</summary>
    public string? Failure { get; set; }

    protected string Actor => AdminActor.Of(HttpContext);

    /// <summary>Puts a service refusal on the page: field errors next to their inputs, the rest on top.</summary>
    protected void Show(AdminError error, string prefix = "Form")
    {
        if (error.Kind == AdminErrorKind.PreconditionFailed)
        {
            // The form was filled from a version that another change has since replaced: saving it would undo that change.
            Failure = $"{error.Title}: it was changed since this form was loaded, so your changes were not saved. "
                      + "Reload the page to see it as it is now, then make your changes again.";
            return;
        }
        if (error.Errors is not { Count: > 0 } fields)
        {
            Failure = error.Detail is null ? error.Title : $"{error.Title}: {error.Detail}";
            return;
        }
        foreach (var (field, messages) in fields)
        {
            var (name, label) = FieldName(field);
            foreach (var message in messages)
                ModelState.AddModelError($"{prefix}.{name}", label is null ? message : $"{label}: {message}");
        }
        Failure = "Please correct the fields marked below.";
    }

    /// <summary>
    /// The condition a form's save is made under: the entity tag the form was filled from (a hidden field), or none
    /// for a form posted without one.
    /// </summary>
    protected static IfMatch? FormVersion(string? tag) => string.IsNullOrEmpty(tag) ? null : IfMatch.Tags([tag]);

    /// <summary>The messages recorded for one form field, or null.</summary>
    public string? ErrorFor(string key) =>
        ModelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? string.Join(" ", entry.Errors.Select(e => e.ErrorMessage)) : null;

    /// <summary>Refuses with the 404 page when a service says the thing does not exist.</summary>
    protected IActionResult NotFoundPage() => NotFound();

    /// <summary>"redirectUris[2]" → ("RedirectUris", "line 3").</summary>
    private static (string Name, string? Label) FieldName(string field)
    {
        var bracket = field.IndexOf('[');
        var dot = field.IndexOf('.');
        var end = new[] { bracket, dot }.Where(i => i > 0).DefaultIfEmpty(field.Length).Min();
        var name = char.ToUpperInvariant(field[0]) + field[1..end];
        string? label = null;
        if (bracket > 0 && field.IndexOf(']', bracket) is var close and > 0 &&
            int.TryParse(field[(bracket + 1)..close], NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
            label = $"line {index + 1}";
        return (name, label);
    }

    public static string When(DateTimeOffset? t) =>
        t?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "—";

    public static string Iso(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
