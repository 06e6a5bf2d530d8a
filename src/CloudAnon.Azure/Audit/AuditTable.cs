using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core.Audit;

namespace CloudAnon.Azure.Audit;

/// <summary>
/// The pipeline's audit records in Azure Table Storage: one row per file and outcome, in the partition of its
/// de-identified study (the mapping table's keyed hash of the study, so partitions spread evenly and name nothing), keyed
/// by the de-identified SOP Instance UID, or by the opaque quarantine name for a refused file. A record too large for a
/// row goes to the blob <c>&lt;partition&gt;/&lt;row key&gt;.json</c> in the audit container, and the row points to it.
/// A write of a study also stamps the study's row in a small index (<see cref="StudyIndex"/>; at most once per stamp
/// interval and writer), which the quiet-study
/// scan and <see cref="ListStudiesChangedSinceAsync"/> read instead of scanning the table. Writes are upserts of
/// deterministic keys: writing a record again (a retried delivery) replaces it, never duplicates it. See docs/audit.md.
/// </summary>
public sealed class AuditTable : IAuditSink
{
    public const string DefaultTableName = "audit";
    public const string DefaultContainerName = "audit";

    /// <summary>Records of files whose study is unknown (the header could not be read): one partition, keyed by quarantine name.</summary>
    public const string NoStudyPartition = "~no-study";

    /// <summary>
    /// Records up to this many UTF-8 bytes are kept in the row: at most as many characters, so at most
    /// 64 KiB as the service stores strings (UTF-16), the limit of one property.
    /// </summary>
    public const int MaxInlineRecordBytes = 32 * 1024;

    private const int PageSize = 1000;

    private readonly TableClient _table;
    private readonly BlobContainerClient _blobs;
    private readonly MappingKeyHasher _partitions;
    private readonly TimeProvider _time;
    private long _requests;

    /// <summary>How often a writer stamps a study in the index while its records keep coming, by default: at most every 30 s.</summary>
    public static readonly TimeSpan DefaultStampInterval = TimeSpan.FromSeconds(30);

    /// <param name="partitionKey">The deployment's mapping key: study partitions are hashed as the mapping table hashes them.</param>
    /// <param name="stampInterval">
    /// Stamp a study in the index at most once per this interval (zero, the default: with every record). The stamp says
    /// so, and the quiet-study scan waits out the interval, so a longer one saves requests but delays study-complete.
    /// </param>
    public AuditTable(TableClient table, BlobContainerClient blobs, byte[] partitionKey, TimeProvider? time = null, TimeSpan stampInterval = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(partitionKey);
        _table = table;
        _blobs = blobs;
        _partitions = new MappingKeyHasher(partitionKey);
        _time = time ?? TimeProvider.System;
        StudyIndex = new StudyIndex(table, _time, stampInterval);
    }

    /// <summary>The per-study index rows: when each study last changed, and what was last emitted for it.</summary>
    public StudyIndex StudyIndex { get; }

    /// <summary>Table requests made by this instance's writes and reads, the index's included (not counting the SDK's retries).</summary>
    public long TableRequests => Interlocked.Read(ref _requests) + StudyIndex.Requests;

    /// <summary>The partition of a de-identified study's records.</summary>
    public string PartitionOf(string? deidentifiedStudyUid) =>
        deidentifiedStudyUid is null ? NoStudyPartition : _partitions.StudyPartition(deidentifiedStudyUid);

    /// <summary>
    /// Writes (or rewrites) a file's record: a de-identified file's under its SOP Instance UID, a refused file's under
    /// <paramref name="quarantineName"/>, then stamps its study in the index unless this writer did so within the stamp
    /// interval. One or two requests, one more when the record is too large for a row (its blob first, so a row never
    /// points to a missing blob).
    /// </summary>
    /// <param name="quarantineName">The refused file's opaque quarantine blob name; null for a de-identified file.</param>
    public async Task WriteAsync(AuditRecord record, string? quarantineName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var rowKey = record.Outcome == AuditOutcome.Deidentified
            ? record.SopInstanceUid ?? throw new ArgumentException("A de-identified file's record has its SOP Instance UID.", nameof(record))
            : quarantineName ?? throw new ArgumentNullException(nameof(quarantineName), "A refused file's record is keyed by its quarantine name.");
        var partition = PartitionOf(record.StudyInstanceUid);
        var row = new TableEntity(partition, rowKey)
        {
            [AuditEntity.Outcome] = record.Outcome == AuditOutcome.Deidentified ? AuditEntity.Deidentified : AuditEntity.Refused,
            [AuditEntity.Reason] = record.Reason,
            [AuditEntity.Study] = record.StudyInstanceUid,
            [AuditEntity.Series] = record.SeriesInstanceUid,
        };

        var json = record.ToJson();
        if (json.Length <= MaxInlineRecordBytes)
        {
            row[AuditEntity.Record] = Encoding.UTF8.GetString(json);
        }
        else
        {
            var blobName = $"{partition}/{rowKey}.json";
            await _blobs.GetBlobClient(blobName).UploadAsync(new BinaryData(json), overwrite: true, cancellationToken).ConfigureAwait(false);
            row[AuditEntity.RecordBlob] = blobName;
        }

        Count();
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        if (record.StudyInstanceUid is { } study)
        {
            await StudyIndex.StampAsync(partition, study, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every record of a de-identified study, de-identified and refused, in row-key order.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ReadStudyAsync(string deidentifiedStudyUid, CancellationToken cancellationToken = default) =>
        [.. (await ReadStudyWithKeysAsync(deidentifiedStudyUid, cancellationToken).ConfigureAwait(false)).Select(r => r.Record)];

    /// <summary>
    /// Every record of a de-identified study with its row key: the de-identified SOP Instance UID, or a refused file's
    /// quarantine name, which a reviewer finds the file in quarantine by.
    /// </summary>
    public async Task<IReadOnlyList<NamedAuditRecord>> ReadStudyWithKeysAsync(string deidentifiedStudyUid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deidentifiedStudyUid);
        return await ReadPartitionAsync(PartitionOf(deidentifiedStudyUid), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The records of refused files whose study could not be known (their header was unreadable).</summary>
    public async Task<IReadOnlyList<AuditRecord>> ReadWithoutStudyAsync(CancellationToken cancellationToken = default) =>
        [.. (await ReadWithoutStudyWithKeysAsync(cancellationToken).ConfigureAwait(false)).Select(r => r.Record)];

    /// <summary>The records of refused files whose study could not be known, each with its row key: the file's quarantine name.</summary>
    public Task<IReadOnlyList<NamedAuditRecord>> ReadWithoutStudyWithKeysAsync(CancellationToken cancellationToken = default) =>
        ReadPartitionAsync(NoStudyPartition, cancellationToken);

    /// <summary>The de-identified studies that gained or rewrote a record at or after <paramref name="since"/>, or may have (<see cref="StudyIndex.ListChangedSinceAsync"/>).</summary>
    public Task<IReadOnlyList<StudyChange>> ListStudiesChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        StudyIndex.ListChangedSinceAsync(since, cancellationToken);

    /// <summary>The small columns of a partition's rows (no record bodies): what a study summary counts.</summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    internal async Task<IReadOnlyList<TableEntity>> ReadRowsAsync(string partition, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, PageSize, select, cancellationToken).AsPages().ConfigureAwait(false))
        {
            Count();
            rows.AddRange(page.Values);
        }

        return rows;
    }

    private async Task<IReadOnlyList<NamedAuditRecord>> ReadPartitionAsync(string partition, CancellationToken cancellationToken)
    {
        var records = new List<NamedAuditRecord>();
        foreach (var row in await ReadRowsAsync(partition, select: null, cancellationToken).ConfigureAwait(false))
        {
            records.Add(new NamedAuditRecord(row.RowKey, await RecordOfAsync(row, cancellationToken).ConfigureAwait(false)));
        }

        return records;
    }

    private async Task<AuditRecord> RecordOfAsync(TableEntity row, CancellationToken cancellationToken)
    {
        if (row.GetString(AuditEntity.Record) is { } inline) return AuditRecord.FromJson(Encoding.UTF8.GetBytes(inline));
        var blobName = row.GetString(AuditEntity.RecordBlob)
            ?? throw new InvalidOperationException("An audit row holds neither a record nor the name of its blob.");
        var content = await _blobs.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return AuditRecord.FromJson(content.Value.Content.ToMemory().Span);
    }

    private void Count() => Interlocked.Increment(ref _requests);
}

/// <summary>The properties of an audit row: the record, and the few columns the quiet-study scan counts without reading it.</summary>
internal static class AuditEntity
{
    public const string Outcome = nameof(Outcome);
    public const string Reason = nameof(Reason);
    public const string Study = nameof(Study);
    public const string Series = nameof(Series);
    public const string Record = nameof(Record);
    public const string RecordBlob = nameof(RecordBlob);

    public const string Deidentified = "deidentified";
    public const string Refused = "refused";
}
