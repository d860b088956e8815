using System.Text.Json.Nodes;
using QRCoder;

namespace XummSimulator.Internal;

internal static class QrImages
{
    public static byte[] Png(string text, int pixelsPerModule = 6)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.Q);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(pixelsPerModule);
    }

    public static string PngDataUri(string text) => "data:image/png;base64," + Convert.ToBase64String(Png(text));

    /// <summary>The module matrix as rows of 0 and 1.</summary>
    public static JsonArray Matrix(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.Q);
        var rows = new JsonArray();
        foreach (var row in data.ModuleMatrix)
        {
            var cells = new JsonArray();
            for (var i = 0; i < row.Length; i++)
            {
                cells.Add(row[i] ? 1 : 0);
            }

            rows.Add(cells);
        }

        return rows;
    }
}
