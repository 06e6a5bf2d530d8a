using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Data.Tables;

namespace CloudAnon.Azure.Audit;

/// <summary>A de-identified study and when it was last stamped: a record of it was written then, and maybe until <paramref name="UnstampedUntil"/>.</summary>
public sealed record StudyChange(string StudyInstanceUid, DateTimeOffset LastChanged, DateTimeOffset UnstampedUntil);

/// <summary>
/// One row per study in the audit table, in 16 partitions <c>~studies-0</c>…<c>~studies-f</c> (spread by the study's
/// partition key, so no single partition takes every write): when the study was last stamped for a record, whether the
/// study changed since its quiet-study message, and what that message counted. The scan for quiet studies reads these
/// 16 partitions, never the records of studies that did not change.
/// A writer stamps a study at most once per stamp interval: the records it writes in the interval after its stamp leave
/// the row alone. The row says until when that may go on (<c>UnstampedUntil</c>, the stamp's time plus the writer's
/// interval), and a study is quiet only once that time is past by the quiet time.
/// </summary>
public sealed class StudyIndex
{
    private const string PartitionPrefix = "~studies-";
    private const int Shards = 16;
    private const string Study = nameof(Study);
    private const string LastChanged = nameof(LastChanged);
    private const string UnstampedUntil = nameof(UnstampedUntil);
    private const string Pending = nameof(Pending);
    private const string EmittedRecords = nameof(EmittedRecords);
    private const string EmittedHash = nameof(EmittedHash);

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly TimeSpan _stampInterval;

    /// <summary>This writer's latest stamp of each study partition, written or in flight (those older than the interval are pruned).</summary>
    private readonly ConcurrentDictionary<string, Stamp> _stamps = new(StringComparer.Ordinal);
    private long _nextPruneTicks;
    private long _requests;

    internal StudyIndex(TableClient table, TimeProvider time, TimeSpan stampInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stampInterval, TimeSpan.Zero);
        _table = table;
        _time = time;
        _stampInterval = stampInterval;
    }

    internal long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// Marks the study changed now (one Merge: what was last emitted for it stays), unless this writer stamped it less
    /// than the stamp interval ago: that stamp's <c>UnstampedUntil</c> still covers the record just written. Writes of
    /// the study that meet a stamp in flight wait for it (one request for them all) and fail with it: a record is
    /// settled only once a stamp covering it is written, and a failed stamp is forgotten, so the retry stamps again.
    /// </summary>
    internal async Task StampAsync(string studyPartition, string studyInstanceUid, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_stampInterval == TimeSpan.Zero)
        {
            await WriteStampAsync(studyPartition, studyInstanceUid, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        var candidate = new Stamp(now, new Lazy<Task>(() => WriteStampAsync(studyPartition, studyInstanceUid, now, cancellationToken)));
        var stamp = _stamps.AddOrUpdate(studyPartition, candidate, (_, current) => current.Covers(now, _stampInterval) ? current : candidate);
        try
        {
            await stamp.Written.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _stamps.TryRemove(new KeyValuePair<string, Stamp>(studyPartition, stamp));
            throw;
        }

        if (stamp == candidate) Prune(now);
    }

    private async Task WriteStampAsync(string studyPartition, string studyInstanceUid, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = new TableEntity(ShardOf(studyPartition), studyPartition)
        {
            [Study] = studyInstanceUid,
            [LastChanged] = now,
            [UnstampedUntil] = now + _stampInterval,
            [Pending] = true,
        };
        Interlocked.Increment(ref _requests);
        await _table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the stamps whose interval is over, at most once per interval.</summary>
    private void Prune(DateTimeOffset now)
    {
        if (now.UtcTicks < Interlocked.Read(ref _nextPruneTicks)) return;
        Interlocked.Exchange(ref _nextPruneTicks, (now + _stampInterval).UtcTicks);
        foreach (var entry in _stamps)
        {
            if (!entry.Value.Covers(now, _stampInterval)) _stamps.TryRemove(entry);
        }
    }

    /// <summary>
    /// Studies that gained or rewrote a record at or after <paramref name="since"/>, or may have: those stamped then or
    /// later, and those whose last stamp's interval reaches it. One query per index partition.
    /// </summary>
    public async Task<IReadOnlyList<StudyChange>> ListChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync(partition => TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and (LastChanged ge {since} or UnstampedUntil ge {since})"), cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(row => new StudyChange(row.StudyInstanceUid, row.LastChanged, row.UnstampedUntil))];
    }

    /// <summary>Studies that changed since their last quiet-study message (or never had one).</summary>
    internal Task<IReadOnlyList<StudyIndexRow>> ListPendingAsync(CancellationToken cancellationToken) =>
        QueryAsync(partition => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Pending eq {true}"), cancellationToken);

    /// <summary>
    /// Records what was emitted for the study, on condition that the row is as it was read: false when a record arrived
    /// meanwhile (the study stays pending, and is summed up again once quiet).
    /// </summary>
    internal async Task<bool> TryMarkEmittedAsync(StudyIndexRow row, int records, string sopInstanceUidsHash, CancellationToken cancellationToken)
    {
        var update = new TableEntity(row.Partition, row.StudyPartition)
        {
            [Pending] = false,
            [EmittedRecords] = records,
            [EmittedHash] = sopInstanceUidsHash,
        };
        Interlocked.Increment(ref _requests);
        try
        {
            await _table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 412)
        {
            return false;
        }
    }

    /// <summary>The index partition of a study: 16, spread by the first character of the hash in its partition key ("s-…").</summary>
    private static string ShardOf(string studyPartition) =>
        PartitionPrefix + (studyPartition[2] % Shards).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    private async Task<IReadOnlyList<StudyIndexRow>> QueryAsync(Func<string, string> filterOf, CancellationToken cancellationToken)
    {
        var rows = new List<StudyIndexRow>();
        for (int shard = 0; shard < Shards; shard++)
        {
            var partition = PartitionPrefix + shard.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            await foreach (var page in _table.QueryAsync<TableEntity>(filterOf(partition), cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
            {
                Interlocked.Increment(ref _requests);
                rows.AddRange(page.Values.Select(RowOf));
            }
        }

        return rows;
    }

    /// <summary>A row as read; one stamped before stamp intervals existed has no <c>UnstampedUntil</c>: its writer stamped every record.</summary>
    private static StudyIndexRow RowOf(TableEntity entity)
    {
        var lastChanged = entity.GetDateTimeOffset(LastChanged) ?? DateTimeOffset.MinValue;
        return new StudyIndexRow(
            entity.PartitionKey, entity.RowKey, entity.GetString(Study) ?? "", lastChanged, entity.GetDateTimeOffset(UnstampedUntil) ?? lastChanged,
            entity.GetInt32(EmittedRecords), entity.GetString(EmittedHash), entity.ETag);
    }
}

/// <summary>A writer's stamp of a study: when, and its write (started once, by the first record that needs it).</summary>
internal sealed record Stamp(DateTimeOffset At, Lazy<Task> Written)
{
    /// <summary>Whether a record written at <paramref name="now"/> needs no stamp of its own: this one is recent and has not failed.</summary>
    public bool Covers(DateTimeOffset now, TimeSpan interval) =>
        now - At < interval && !(Written.IsValueCreated && (Written.Value.IsFaulted || Written.Value.IsCanceled));
}

/// <summary>A study's index row as read.</summary>
/// <param name="UnstampedUntil">Until when a record of the study may be written without a new stamp.</param>
internal sealed record StudyIndexRow(
    string Partition, string StudyPartition, string StudyInstanceUid, DateTimeOffset LastChanged, DateTimeOffset UnstampedUntil,
    int? EmittedRecords, string? EmittedHash, ETag ETag);
