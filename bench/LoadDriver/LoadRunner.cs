using System.Diagnostics;
using System.Net.Http;
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
        // Each slot keeps its own schedule, rate / slots, the slots staggered evenly: the slots together start
        // requests at the target rate. A request whose slot is still busy when its time comes leaves as soon
        // as the slot is free, and its latency still counts from its scheduled start. One dispatcher for every
        // request was tried first: under load its own lateness (a timer firing late on a busy machine, then a
        // burst of overdue starts run one after the other) showed as server latency.
        var recorder = new PhaseRecorder(serverPid, databasePid);
        var slotInterval = Stopwatch.Frequency * slots.Count / rate;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Ticks(warmup);
        var stopAt = measureFrom + Ticks(duration);
        var begin = Task.Run(async () =>
        {
            await Task.Delay(warmup, ct);
            recorder.Begin();
        }, ct);

        var runs = slots.Select((slot, n) => Task.Run(async () =>
        {
            var first = start + (long)(n * slotInterval / slots.Count);
            for (long i = 0; !ct.IsCancellationRequested; i++)
            {
                var scheduled = first + (long)(i * slotInterval);
                if (scheduled >= stopAt) break;
                var wait = scheduled - Stopwatch.GetTimestamp();
                if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), ct);
                var started = Stopwatch.GetTimestamp();
                var outcome = await ExecuteAsync(scenario, slot, ct);
                if (scheduled < measureFrom) continue;
                recorder.Record(outcome, Stopwatch.GetTimestamp() - scheduled);
                recorder.RecordLateness(started - scheduled);
            }
        }, ct)).ToList();

        await Task.WhenAll(runs);
        await begin;
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
