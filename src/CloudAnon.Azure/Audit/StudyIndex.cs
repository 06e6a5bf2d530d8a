using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Data.Tables;

namespace CloudAnon.Azure.Audit;

/// <summary>A de-identified study and when a record of it was last written.</summary>
public sealed record StudyChange(string StudyInstanceUid, DateTimeOffset LastChanged);

/// <summary>
/// One row per study in the audit table, in 16 partitions <c>~studies-0</c>…<c>~studies-f</c> (spread by the study's
/// partition key, so no single partition takes every write): when a record of the study was last written, whether the
/// study changed since its quiet-study message, and what that message counted. The scan for quiet studies reads these
/// 16 partitions, never the records of studies that did not change.
/// </summary>
public sealed class StudyIndex
{
    private const string PartitionPrefix = "~studies-";
    private const int Shards = 16;
    private const string Study = nameof(Study);
    private const string LastChanged = nameof(LastChanged);
    private const string Pending = nameof(Pending);
    private const string EmittedRecords = nameof(EmittedRecords);
    private const string EmittedHash = nameof(EmittedHash);

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private long _requests;

    internal StudyIndex(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal long Requests => Interlocked.Read(ref _requests);

    /// <summary>Marks the study changed now (one Merge: what was last emitted for it stays).</summary>
    internal async Task StampAsync(string studyPartition, string studyInstanceUid, CancellationToken cancellationToken)
    {
        var row = new TableEntity(ShardOf(studyPartition), studyPartition)
        {
            [Study] = studyInstanceUid,
            [LastChanged] = _time.GetUtcNow(),
            [Pending] = true,
        };
        Interlocked.Increment(ref _requests);
        await _table.UpsertEntityAsync(row, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Studies changed at or after <paramref name="since"/>: one query per index partition.</summary>
    public async Task<IReadOnlyList<StudyChange>> ListChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var rows = await QueryAsync(partition => TableClient.CreateQueryFilter($"PartitionKey eq {partition} and LastChanged ge {since}"), cancellationToken)
            .ConfigureAwait(false);
        return [.. rows.Select(row => new StudyChange(row.StudyInstanceUid, row.LastChanged))];
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
                rows.AddRange(page.Values.Select(entity => new StudyIndexRow(
                    partition, entity.RowKey, entity.GetString(Study) ?? "", entity.GetDateTimeOffset(LastChanged) ?? DateTimeOffset.MinValue,
                    entity.GetInt32(EmittedRecords), entity.GetString(EmittedHash), entity.ETag)));
            }
        }

        return rows;
    }
}

/// <summary>A study's index row as read.</summary>
internal sealed record StudyIndexRow(
    string Partition, string StudyPartition, string StudyInstanceUid, DateTimeOffset LastChanged, int? EmittedRecords, string? EmittedHash, ETag ETag);
