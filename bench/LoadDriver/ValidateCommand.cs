using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IdentityBridge.RelyingParty;
using IdentityBridge.RelyingParty.Validation;
using LoadDriver.Upstream;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace LoadDriver;

/// <summary>
/// <c>validate</c>: how many Xumm-style RS256 ID tokens per second the relying party's validator
/// (<c>OidcIdTokenValidator</c>, configured as the bridge configures its Xumm upstream: RS256 only, exact issuer,
/// client id, keys from metadata) accepts, in process, on one thread and on one thread per core. Each thread cycles through distinct tokens. Both
/// the wall-clock rate and the rate per CPU second of the measuring threads are kept: openssl speed reports
/// per CPU second, and on a shared machine only the latter compares with it.
/// </summary>
public static class ValidateCommand
{
    public static int Execute(Arguments args)
    {
        var seconds = args.GetDouble("seconds", 5);
        var warmup = args.GetDouble("warmup", 2);
        var count = args.GetInt("tokens", 512);
        var now = DateTimeOffset.UtcNow;
        var tokens = XummStyleTokens.Create(count, now);
        var options = CreateOptions(tokens);

        foreach (var (token, nonce) in tokens.Tokens)
            if (!IsValid(options, token, nonce))
                throw new InvalidOperationException("A well-formed token was refused: the benchmark would measure the failure path.");
        if (IsValid(options, tokens.Tokens[0].Token, "another nonce"))
            throw new InvalidOperationException("A token with the wrong nonce was accepted.");

        // Warm up on every core first, so the JIT has finished tiering before anything is measured.
        Measure(options, tokens, Environment.ProcessorCount, warmup);
        var threadCounts = new SortedSet<int> { 1, Environment.ProcessorCount };
        var phases = new List<ValidationPhase>();
        foreach (var threads in threadCounts)
        {
            Measure(options, tokens, threads, 0.5);
            var phase = Measure(options, tokens, threads, seconds);
            phases.Add(phase);
            Console.WriteLine($"[validate] {threads} thread(s): {phase.PerSecond:0} validations/s, {phase.PerCpuSecond:0} per CPU second, {phase.Failures} failures");
        }

        // The platform's own cost of the signature check, without JWT parsing and claim rules: .NET's RSA
        // verify (over OpenSSL here) on one thread, for the same key and the same signed bytes.
        var baseline = MeasureRsaVerify(tokens, warmup, seconds);
        Console.WriteLine($"[validate] baseline RSA.VerifyData on 1 thread: {baseline.PerSecond:0}/s, {baseline.PerCpuSecond:0} per CPU second");

        var result = new ValidationResult("IdentityBridge.RelyingParty OidcIdTokenValidator (RS256, static metadata)", count, phases, baseline);
        if (args.Get("out") is { } output) File.WriteAllText(output, JsonSerializer.Serialize(result, Json.Options));
        return phases.Sum(p => p.Failures) == 0 ? 0 : 1;
    }

    /// <summary>
    /// The options of the bridge's Xumm upstream, with the provider's metadata served from memory: the
    /// benchmark measures validation, not discovery.
    /// </summary>
    private static OidcClientOptions CreateOptions(XummStyleTokens tokens)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = XummStyleTokens.Issuer };
        configuration.SigningKeys.Add(tokens.PublishedKey);
        var options = new OidcClientOptions
        {
            Authority = XummStyleTokens.Issuer,
            MetadataAddress = XummStyleTokens.Issuer + "/.well-known/openid-configuration",
            ClientId = XummStyleTokens.ClientId,
            ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration),
        };
        options.AllowedSigningAlgorithms.Clear();
        options.AllowedSigningAlgorithms.Add(SecurityAlgorithms.RsaSha256);
        options.Validate();
        return options;
    }

    private static bool IsValid(OidcClientOptions options, string token, string nonce) =>
        OidcIdTokenValidator.ValidateAsync(options, token, nonce, TimeProvider.System, NullLogger.Instance, CancellationToken.None)
            .GetAwaiter().GetResult().Failure is null;

    private static ValidationPhase MeasureRsaVerify(XummStyleTokens tokens, double warmup, double seconds)
    {
        using var rsa = tokens.CreatePublicRsa();
        var signed = tokens.Tokens.Select(t =>
        {
            var dot = t.Token.LastIndexOf('.');
            return (Data: Encoding.ASCII.GetBytes(t.Token[..dot]), Signature: Base64UrlEncoder.DecodeBytes(t.Token[(dot + 1)..]));
        }).ToList();
        ValidationPhase Run(double duration)
        {
            var cpuBefore = ThreadCpu.Seconds();
            var start = Stopwatch.GetTimestamp();
            var stopAt = start + (long)(duration * Stopwatch.Frequency);
            long ok = 0, failed = 0;
            for (var i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
            {
                var (data, signature) = signed[i % signed.Count];
                if (rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)) ok++;
                else failed++;
            }
            var elapsed = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
            var cpu = ThreadCpu.Seconds() - cpuBefore;
            return new ValidationPhase(1, Math.Round(elapsed, 3), Math.Round(cpu, 3), ok, failed, Math.Round(ok / elapsed, 1), Math.Round(cpu > 0 ? ok / cpu : 0, 1));
        }
        Run(warmup);
        return Run(seconds);
    }

    private static ValidationPhase Measure(OidcClientOptions options, XummStyleTokens tokens, int threads, double seconds)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var counts = new long[threads];
        var failures = new long[threads];
        var cpus = new double[threads];
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var list = tokens.Tokens;
            var i = t * list.Count / threads;
            long ok = 0, failed = 0;
            var cpuBefore = ThreadCpu.Seconds();
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var (token, nonce) = list[i++ % list.Count];
                if (IsValid(options, token, nonce)) ok++;
                else failed++;
            }
            counts[t] = ok;
            failures[t] = failed;
            cpus[t] = ThreadCpu.Seconds() - cpuBefore;
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        var elapsed = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
        var cpu = cpus.Sum();
        var total = counts.Sum();
        return new ValidationPhase(threads, Math.Round(elapsed, 3), Math.Round(cpu, 3), total, failures.Sum(),
            Math.Round(total / elapsed, 1), Math.Round(cpu > 0 ? total / cpu : 0, 1));
    }
}
