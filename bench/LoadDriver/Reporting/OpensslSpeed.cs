using System.Globalization;

namespace LoadDriver.Reporting;

/// <summary>Operations per second from <c>openssl speed</c> output (single process or <c>-multi N</c>).</summary>
public sealed record OpensslSpeed(double RsaSign, double RsaVerify, double EcdsaSign, double EcdsaVerify)
{
    public static OpensslSpeed? Read(string path)
    {
        if (!File.Exists(path)) return null;
        double rsaSign = 0, rsaVerify = 0, ecSign = 0, ecVerify = 0;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith("rsa 2048 bits", StringComparison.Ordinal)) (rsaSign, rsaVerify) = LastTwo(line);
            else if (line.Contains("ecdsa (nistp256)", StringComparison.Ordinal)) (ecSign, ecVerify) = LastTwo(line);
        }
        return rsaSign > 0 ? new OpensslSpeed(rsaSign, rsaVerify, ecSign, ecVerify) : null;
    }

    private static (double, double) LastTwo(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (double.Parse(parts[^2], CultureInfo.InvariantCulture), double.Parse(parts[^1], CultureInfo.InvariantCulture));
    }
}
