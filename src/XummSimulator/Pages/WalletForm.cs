using System.Text;
using XummSimulator.Internal;
using XummSimulator.Model;

namespace XummSimulator.Pages;

/// <summary>
/// The part of a sign page that stands in for the phone: the QR code and deep link a real wallet would
/// use, and a plain form to approve as a chosen wallet on a chosen network, or to reject.
/// </summary>
internal static class WalletForm
{
    public static string Render(SimulatedPayload payload, SimulatorUrls urls, string action, string defaultNetwork)
    {
        var uuid = payload.Uuid;
        var account = payload.Draft.Signers is { Count: > 0 } signers ? signers[0] : XrplAddress.NewRandom();
        var html = new StringBuilder()
            .Append("<section class=\"qr\"><img alt=\"QR code of the sign request\" src=\"")
            .Append(QrImages.PngDataUri(urls.SignPage(uuid)))
            .Append("\"><p>Scan with the wallet app, or open <a href=\"")
            .Append(HtmlPage.Encode(SimulatorUrls.DeepLink(uuid))).Append("\">")
            .Append(HtmlPage.Encode(SimulatorUrls.DeepLink(uuid))).Append("</a></p></section>");

        if (payload.Draft.CustomInstruction is { Length: > 0 } instruction)
        {
            html.Append("<p class=\"instruction\">").Append(HtmlPage.Encode(instruction)).Append("</p>");
        }

        html.Append("<form method=\"post\" action=\"").Append(HtmlPage.Encode(action)).Append("\">")
            .Append("<input type=\"hidden\" name=\"payload\" value=\"").Append(HtmlPage.Encode(uuid)).Append("\">")
            .Append("<label>Approve as wallet <input name=\"account\" id=\"account\" size=\"40\" value=\"")
            .Append(HtmlPage.Encode(account)).Append("\"></label> ")
            .Append("<label>on network <select name=\"network\" id=\"network\">");

        IReadOnlyList<XummNetwork> choices = payload.Draft.ForceNetwork is { } forced ? [forced] : XummNetworks.All;
        foreach (var network in choices)
        {
            var selected = string.Equals(network.Name, defaultNetwork, StringComparison.OrdinalIgnoreCase) || choices.Count == 1;
            html.Append("<option value=\"").Append(network.Name).Append('"').Append(selected ? " selected" : "").Append('>')
                .Append(network.Name).Append("</option>");
        }

        html.Append("</select></label>");
        if (payload.Draft.Signers is { Count: > 0 } allowed)
        {
            html.Append("<p>Only these wallets may sign: ").Append(HtmlPage.Encode(string.Join(", ", allowed))).Append("</p>");
        }

        return html
            .Append("<p><button type=\"submit\" name=\"action\" value=\"approve\" id=\"approve\">Approve</button> ")
            .Append("<button type=\"submit\" name=\"action\" value=\"reject\" id=\"reject\">Reject / cancel</button></p>")
            .Append("</form>")
            .ToString();
    }
}
