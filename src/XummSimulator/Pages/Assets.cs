using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using XummSimulator.Internal;

namespace XummSimulator.Pages;

/// <summary>The stylesheet of the pages and the avatar images userinfo points at.</summary>
internal static class Assets
{
    private const string Stylesheet = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #f4f6fb; color: #1b1f2a; }
        main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: .5rem; }
        .banner { font-size: .8rem; color: #6b7280; text-transform: uppercase; letter-spacing: .05em; }
        .error { color: #b42318; font-weight: bold; }
        .qr img { width: 12rem; height: 12rem; image-rendering: pixelated; }
        label { display: block; margin: .75rem 0; }
        button { padding: .5rem 1rem; margin-right: .5rem; }
        """;

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/assets/simulator.css", () => Results.Text(Stylesheet, "text/css; charset=utf-8"));
        group.MapGet("/avatar/{file}", (string file) =>
        {
            var account = file.EndsWith(".png", StringComparison.Ordinal) ? file[..^4] : file;
            return XrplAddress.IsValid(account)
                ? Results.File(QrImages.Png(account, 3), "image/png")
                : Results.NotFound();
        });
    }
}
