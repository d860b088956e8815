using System.Text.Json;
using System.Threading.Channels;
using IdentityBridge.Storage;
using IdentityBridge.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace IdentityBridge.Audit;

/// <summary>
/// Writes admin changes and security events to the audit trail. Events are queued and written in
/// batches by <see cref="AuditWriter"/>, so a token request never waits on an INSERT; readers call
/// <see cref="FlushAsync"/> first to see everything recorded so far on this node.
/// </summary>
public sealed class AuditLog(AuditQueue queue, TimeProvider time, IHttpContextAccessor http, ILogger<AuditLog> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The actor of events caused by a caller that proved nothing about itself.</summary>
    public const string AnonymousActor = "anonymous";

    /// <summary>Longest stored event type (the column's size).</summary>
    internal const int MaxTypeLength = 64;

    /// <summary>Longest stored actor, account id or client id.</summary>
    internal const int MaxIdLength = 200;

    /// <summary>Longest stored reason.</summary>
    internal const int MaxReasonLength = 500;

    /// <summary>Longest stored details document, unless the caller allows more; a longer one is replaced by a note saying so.</summary>
    internal const int MaxDetailsLength = 8192;

    /// <summary>
    /// Records one event. Never throws. Every text field is made safe here, whatever the caller passes: control
    /// and line-separator characters become spaces (no forged lines in a log or an export) and lengths are bounded
    /// (no oversized rows, no batch refused by a column limit).
    /// </summary>
    public Task WriteAsync(string type, string actor, string? accountId = null, string? clientId = null,
        bool success = true, string? reason = null, object? details = null, CancellationToken ct = default, int maxDetailsLength = MaxDetailsLength)
    {
        var context = http.HttpContext;
        var evt = new AuditEvent
        {
            Time = time.GetUtcNow(),
            Type = Clean(type, MaxTypeLength) ?? "",
            Actor = Clean(actor, MaxIdLength) ?? "",
            AccountId = Clean(accountId, MaxIdLength),
            ClientId = Clean(clientId, MaxIdLength),
            Success = success,
            Reason = Clean(reason, MaxReasonLength),
            RemoteIp = context?.Connection.RemoteIpAddress?.ToString(),
            RequestId = Clean(context?.TraceIdentifier, MaxIdLength),
            Details = DetailsOf(details, maxDetailsLength),
        };
        queue.Enqueue(evt);
        logger.LogInformation("Audit {Type} actor={Actor} account={AccountId} client={ClientId} success={Success} reason={Reason}",
            evt.Type, evt.Actor, evt.AccountId, evt.ClientId, success, evt.Reason);
        return Task.CompletedTask;
    }

    /// <summary>
    /// <paramref name="value"/> with every control or line/paragraph separator character replaced by a space,
    /// cut to at most <paramref name="max"/> characters (never inside a surrogate pair, marked with an ellipsis).
    /// </summary>
    internal static string? Clean(string? value, int max)
    {
        if (value is null) return null;
        var length = value.Length;
        var cut = length > max;
        if (cut)
        {
            length = max - 1;
            if (char.IsHighSurrogate(value[length - 1])) length--;
        }
        var clean = true;
        for (var i = 0; i < length && clean; i++) clean = !Unsafe(value[i]);
        if (clean && !cut) return value;
        var builder = new System.Text.StringBuilder(length + 1);
        for (var i = 0; i < length; i++) builder.Append(Unsafe(value[i]) ? ' ' : value[i]);
        if (cut) builder.Append('…');
        return builder.ToString();
    }

    private static bool Unsafe(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    /// <summary>
    /// The details as JSON (which escapes control characters), or a short note when they are longer than
    /// <paramref name="max"/>: <see cref="MaxDetailsLength"/> unless the caller bounds its details itself and
    /// needs more (a client change keeps its added redirect URIs whole: <see cref="Admin.Services.ClientChanges"/>).
    /// </summary>
    private static string? DetailsOf(object? details, int max)
    {
        if (details is null) return null;
        var json = JsonSerializer.Serialize(details, Json);
        return json.Length <= Math.Max(max, MaxDetailsLength) ? json : JsonSerializer.Serialize(new { truncated = true, length = json.Length }, Json);
    }

    /// <summary>Waits until every event queued before the call is stored.</summary>
    public Task FlushAsync(CancellationToken ct = default) => queue.FlushAsync(ct);
}

/// <summary>
/// The in-memory queue between <see cref="AuditLog"/> and <see cref="AuditWriter"/>. It never drops an event to make
/// room for another: when it is full (the database has been unreachable for a long while) the new event is dropped,
/// counted and logged. Events of anonymous callers (<see cref="AuditLog.AnonymousActor"/>: unsigned webhooks,
/// unauthenticated token requests, broken callbacks) may hold only a small part of it, so a flood of them is
/// dropped (counted and logged) before it could crowd out anything an account, a client, an admin or Xumm did.
/// </summary>
public sealed class AuditQueue(DirectDbContextFactory factory, ILogger<AuditQueue>? logger = null)
{
    internal const int Capacity = 100_000;

    /// <summary>At most this many anonymous events wait at once.</summary>
    internal const int AnonymousCapacity = 1_000;

    /// <summary>
    /// Store each event at once instead of queueing it: for the admin CLI, whose host never starts the
    /// background writer and exits right after the command. The write is synchronous, so it uses the
    /// database connection without multiplexing.
    /// </summary>
    public bool WriteThrough { get; set; }

    private readonly Channel<object> _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private int _anonymousPending;
    private long _dropped;
    private long _droppedAnonymous;

    internal ChannelReader<object> Reader => _channel.Reader;

    /// <summary>Events dropped because the queue was full, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Anonymous events dropped because too many of them were waiting, since start.</summary>
    public long DroppedAnonymous => Interlocked.Read(ref _droppedAnonymous);

    public void Enqueue(AuditEvent evt)
    {
        if (WriteThrough)
        {
            using var db = factory.CreateDbContext();
            db.AuditEvents.Add(evt);
            db.SaveChanges();
            return;
        }

        var anonymous = IsAnonymous(evt);
        if (anonymous && Interlocked.Increment(ref _anonymousPending) > AnonymousCapacity)
        {
            Interlocked.Decrement(ref _anonymousPending);
            var count = Interlocked.Increment(ref _droppedAnonymous);
            if (IsWorthALine(count))
                logger?.LogWarning("Audit: {Count} event(s) of anonymous callers dropped so far ({Type} now): too many are waiting to be stored", count, evt.Type);
            return;
        }
        if (_channel.Writer.TryWrite(evt))
        {
            if (Interlocked.Increment(ref _waiting) == AuditWriter.FewEvents) Wake();
            return;
        }

        if (anonymous) Interlocked.Decrement(ref _anonymousPending);
        var dropped = Interlocked.Increment(ref _dropped);
        if (IsWorthALine(dropped))
            logger?.LogError("Audit: {Count} event(s) dropped so far ({Type} {Actor} now): the queue is full; is the database reachable?", dropped, evt.Type, evt.Actor);
    }

    /// <summary>Takes the next event or flush marker (for the writer).</summary>
    internal bool TryRead(out object item)
    {
        if (!_channel.Reader.TryRead(out item!)) return false;
        if (item is not AuditEvent evt) return true;
        Interlocked.Decrement(ref _waiting);
        if (IsAnonymous(evt)) Interlocked.Decrement(ref _anonymousPending);
        return true;
    }

    /// <summary>A marker the writer completes once everything before it is stored.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(done, ct);
        Wake();
        await done.Task.WaitAsync(ct);
    }

    private int _waiting;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes when the writer should stop gathering a batch (for the writer; read it before taking events): at
    /// the next flush, or when <see cref="AuditWriter.FewEvents"/> events are waiting.
    /// </summary>
    internal Task NextWake => Volatile.Read(ref _wake).Task;

    private void Wake() =>
        Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private static bool IsAnonymous(AuditEvent evt) => string.Equals(evt.Actor, AuditLog.AnonymousActor, StringComparison.Ordinal);

    /// <summary>The first drop, then every thousandth: a flood is reported without becoming a flood of log lines.</summary>
    private static bool IsWorthALine(long count) => count == 1 || count % 1000 == 0;
}

/// <summary>
/// Drains the audit queue in batches into the database through <see cref="AuditStore"/>: its own connection and one
/// statement a batch, nothing of the request work's pool of contexts (a pooled context goes back to the pool keeping
/// what its largest batch allocated; a flood of audited failures once left the pool holding some 300 MB).
/// </summary>
internal sealed class AuditWriter(AuditQueue queue, AuditStore store, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int MaxBatch = 500;

    /// <summary>
    /// How long the writer waits, when it finds fewer than <see cref="FewEvents"/> events, for others to join them.
    /// Under a steady flow of logins each event was a statement and a commit of its own; gathered, the database
    /// commits a few times a second instead of once per login. The wait ends early at a flush (readers of the trail
    /// flush first, so they never see the delay) and as soon as that many events are waiting: a flood is stored at
    /// the pace it comes, without the anonymous callers' share of the queue overflowing meanwhile.
    /// </summary>
    internal static readonly TimeSpan Gathering = TimeSpan.FromMilliseconds(50);

    /// <summary>Below this many events waiting, the writer gathers for up to <see cref="Gathering"/>.</summary>
    internal const int FewEvents = 64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEvent>(MaxBatch);
        var waiters = new List<TaskCompletionSource>();
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                var wake = queue.NextWake;
                Take(batch, waiters);
                if (waiters.Count == 0 && batch.Count < FewEvents)
                {
                    await Task.WhenAny(Task.Delay(Gathering, stoppingToken), wake);
                    stoppingToken.ThrowIfCancellationRequested();
                    Take(batch, waiters);
                }
                await StoreAsync(batch, stoppingToken);
                foreach (var waiter in waiters) waiter.TrySetResult();
                batch.Clear();
                waiters.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: store what is left without the cancelled token, then release whoever flushed.
            do
            {
                Take(batch, waiters);
                await StoreAsync(batch, CancellationToken.None);
                batch.Clear();
            }
            while (queue.Reader.Count > 0);
            foreach (var waiter in waiters) waiter.TrySetResult();
        }
    }

    private void Take(List<AuditEvent> batch, List<TaskCompletionSource> waiters)
    {
        while (batch.Count < MaxBatch && queue.TryRead(out var item))
        {
            if (item is AuditEvent evt) batch.Add(evt);
            else if (item is TaskCompletionSource waiter) waiters.Add(waiter);
        }
    }

    private async Task StoreAsync(List<AuditEvent> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        try
        {
            await store.StoreAsync(batch, ct);
        }
        catch (Exception ex) when (AuditStore.IsStorageFailure(ex))
        {
            logger.LogError(ex, "Could not store {Count} audit event(s)", batch.Count);
        }
    }
}
