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
        using var rsa = tokens.CreatePublicRsa();
        var signed = tokens.Tokens.Select(t =>
        {
            var dot = t.Token.LastIndexOf('.');
            return (Data: Encoding.ASCII.GetBytes(t.Token[..dot]), Signature: Base64UrlEncoder.DecodeBytes(t.Token[(dot + 1)..]));
        }).ToList();
        var validator = Loop(i => IsValid(options, tokens.Tokens[i % count].Token, tokens.Tokens[i % count].Nonce));
        // The platform's own cost of the signature check, without JWT parsing and claim rules: .NET's RSA
        // verify (over OpenSSL here) for the same key and the same signed bytes.
        var bare = Loop(i => rsa.VerifyData(signed[i % count].Data, signed[i % count].Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        bare(warmup / 2);

        // One thread: the validator and the bare verify in alternating slices of a quarter second, so both
        // rates come from the same moments of a machine whose speed drifts.
        var (one, baseline) = Interleave(validator, bare, seconds);
        var phases = new List<ValidationPhase> { one };
        Console.WriteLine($"[validate] 1 thread(s): {one.PerSecond:0} validations/s, {one.PerCpuSecond:0} per CPU second, {one.Failures} failures");
        Console.WriteLine($"[validate] baseline RSA.VerifyData on 1 thread, interleaved: {baseline.PerSecond:0}/s, {baseline.PerCpuSecond:0} per CPU second");
        if (Environment.ProcessorCount > 1)
        {
            var threads = Environment.ProcessorCount;
            Measure(options, tokens, threads, 0.5);
            var phase = Measure(options, tokens, threads, seconds);
            phases.Add(phase);
            Console.WriteLine($"[validate] {threads} thread(s): {phase.PerSecond:0} validations/s, {phase.PerCpuSecond:0} per CPU second, {phase.Failures} failures");
        }

        var signatures = OpenSslRsaVerifier.IsAvailable ? "signatures checked through libcrypto directly" : "signatures checked by IdentityModel (the direct libcrypto path is not available here)";
        var result = new ValidationResult($"IdentityBridge.RelyingParty OidcIdTokenValidator (RS256, static metadata, {signatures})", count, phases, baseline);
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

    /// <summary>A timed loop on the calling thread: runs for the given seconds, returns successes, failures, wall and CPU seconds.</summary>
    private static Func<double, (long Ok, long Failed, double Wall, double Cpu)> Loop(Func<int, bool> operation)
    {
        var next = 0;
        return duration =>
        {
            var cpuBefore = ThreadCpu.Seconds();
            var start = Stopwatch.GetTimestamp();
            var stopAt = start + (long)(duration * Stopwatch.Frequency);
            long ok = 0, failed = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                if (operation(next++)) ok++;
                else failed++;
            }
            return (ok, failed, (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency, ThreadCpu.Seconds() - cpuBefore);
        };
    }

    private static (ValidationPhase First, ValidationPhase Second) Interleave(
        Func<double, (long Ok, long Failed, double Wall, double Cpu)> first,
        Func<double, (long Ok, long Failed, double Wall, double Cpu)> second, double seconds)
    {
        const double slice = 0.25;
        var totals = new (long Ok, long Failed, double Wall, double Cpu)[2];
        for (var elapsed = 0.0; elapsed < seconds; elapsed += slice)
        {
            var a = first(slice);
            var b = second(slice);
            totals[0] = (totals[0].Ok + a.Ok, totals[0].Failed + a.Failed, totals[0].Wall + a.Wall, totals[0].Cpu + a.Cpu);
            totals[1] = (totals[1].Ok + b.Ok, totals[1].Failed + b.Failed, totals[1].Wall + b.Wall, totals[1].Cpu + b.Cpu);
        }
        return (Phase(totals[0]), Phase(totals[1]));

        static ValidationPhase Phase((long Ok, long Failed, double Wall, double Cpu) t) =>
            new(1, Math.Round(t.Wall, 3), Math.Round(t.Cpu, 3), t.Ok, t.Failed, Math.Round(t.Ok / t.Wall, 1), Math.Round(t.Cpu > 0 ? t.Ok / t.Cpu : 0, 1));
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
