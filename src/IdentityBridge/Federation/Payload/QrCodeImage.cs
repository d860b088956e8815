using QRCoder;

namespace IdentityBridge.Federation.Payload;

/// <summary>QR codes rendered on the server (no third-party image host, no script): a PNG data URI.</summary>
public static class QrCodeImage
{
    public static string PngDataUri(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }
}
