using System.Diagnostics;
using System.Net.Http;
using System.Threading.Channels;
using LoadDriver.Scenarios;

namespace LoadDriver;

/// <summary>
/// Drives a scenario for a warm-up and then a measured duration. Closed loop: every slot is a worker that
/// sends its next request as soon as the previous one answered (finds the maximum throughput). Open loop:
/// requests start on a fixed schedule at a target rate whatever the answers, and each latency counts from
/// the scheduled start (so a slow server cannot hide its queue: no coordinated omission).
/// </summary>
public sealed class LoadRunner(int? serverPid, int? databasePid)
{
    private const int MaxOutstanding = 20_000;

    public async Task<PhaseResult> RunClosedAsync(IScenario scenario, IReadOnlyList<WorkerSlot> slots, TimeSpan warmup, TimeSpan duration, CancellationToken ct)
    {
        var recorder = new PhaseRecorder(serverPid, databasePid);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(warmup);
        var stopAt = measureFrom + Ticks(duration);
        var begin = Task.Run(async () =>
        {
            await Task.Delay(warmup, ct);
            recorder.Begin();
        }, ct);

        var workers = slots.Select(slot => Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= stopAt) break;
                var outcome = await ExecuteAsync(scenario, slot, ct);
                if (t0 >= measureFrom) recorder.Record(outcome, Stopwatch.GetTimestamp() - t0);
            }
        }, ct)).ToList();

        await Task.WhenAll(workers);
        await begin;
        recorder.End();
        return recorder.Result("closed", slots.Count, 0);
    }

    public async Task<PhaseResult> RunOpenAsync(IScenario scenario, IReadOnlyList<WorkerSlot> slots, double rate, TimeSpan warmup, TimeSpan duration, CancellationToken ct)
    {
        var recorder = new PhaseRecorder(serverPid, databasePid);
        var pool = Channel.CreateUnbounded<WorkerSlot>();
        foreach (var slot in slots) pool.Writer.TryWrite(slot);

        var interval = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(warmup);
        var stopAt = measureFrom + Ticks(duration);
        var begun = false;
        var outstanding = 0;
        var running = new List<Task>();

        async Task RunOne(long scheduled)
        {
            var slot = await pool.Reader.ReadAsync(ct);
            Outcome outcome;
            try
            {
                outcome = await ExecuteAsync(scenario, slot, ct);
            }
            finally
            {
                pool.Writer.TryWrite(slot);
            }
            if (scheduled >= measureFrom) recorder.Record(outcome, Stopwatch.GetTimestamp() - scheduled);
            Interlocked.Decrement(ref outstanding);
        }

        for (long i = 0; !ct.IsCancellationRequested; )
        {
            var scheduled = start + (long)(i * interval);
            if (scheduled >= stopAt) break;
            var now = Stopwatch.GetTimestamp();
            if (!begun && now >= measureFrom)
            {
                recorder.Begin();
                begun = true;
            }
            if (scheduled > now)
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Max(1, (scheduled - now) * TimeSpan.TicksPerSecond / Stopwatch.Frequency - TimeSpan.TicksPerMillisecond)), ct);
                continue;
            }
            if (Volatile.Read(ref outstanding) >= MaxOutstanding)
            {
                recorder.Note("driver: too many requests outstanding, open loop stopped");
                break;
            }
            Interlocked.Increment(ref outstanding);
            running.Add(RunOne(scheduled));
            i++;
        }
        if (!begun) recorder.Begin();

        await Task.WhenAll(running);
        recorder.End();
        return recorder.Result("open", slots.Count, rate);
    }

    private static async Task<Outcome> ExecuteAsync(IScenario scenario, WorkerSlot slot, CancellationToken ct)
    {
        try
        {
            return await scenario.ExecuteAsync(slot, ct);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return Outcome.Fail("timeout");
        }
        catch (HttpRequestException ex)
        {
            return Outcome.Fail($"connection: {ex.HttpRequestError}");
        }
        catch (InvalidOperationException ex)
        {
            return Outcome.Fail($"driver: {ex.GetType().Name}");
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
