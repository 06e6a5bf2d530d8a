using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;

namespace CloudAnon.Azure.Audit;

/// <summary>
/// What a quiet-study message says of a de-identified study: its counts and a hash of its instances, so a downstream job
/// can tell a study it has seen from one that changed. See docs/audit.md for the message's form.
/// </summary>
/// <param name="Series">Distinct de-identified Series Instance UIDs of the instances written to egress.</param>
/// <param name="Instances">Instances written to egress.</param>
/// <param name="Quarantined">Refused files of the study by reason code.</param>
/// <param name="SopInstanceUidsSha256">SHA-256 (lowercase hex) of the egress instances' SOP Instance UIDs, sorted ordinally, each followed by a line feed.</param>
/// <param name="Records">All records of the study (instances and refusals).</param>
public sealed record StudySummary(
    string StudyInstanceUid, int Series, int Instances, IReadOnlyDictionary<string, int> Quarantined, string SopInstanceUidsSha256,
    int Records, DateTimeOffset LastChanged)
{
    public const int SchemaVersion = 1;

    /// <summary>The message body: UTF-8 JSON, camelCase, quarantine reasons in ordinal order.</summary>
    public byte[] ToJson()
    {
        using var body = new MemoryStream();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", SchemaVersion);
            writer.WriteString("studyInstanceUid", StudyInstanceUid);
            writer.WriteNumber("series", Series);
            writer.WriteNumber("instances", Instances);
            writer.WriteStartObject("quarantined");
            foreach (var (reason, count) in Quarantined.OrderBy(pair => pair.Key, StringComparer.Ordinal)) writer.WriteNumber(reason, count);
            writer.WriteEndObject();
            writer.WriteString("sopInstanceUidsSha256", SopInstanceUidsSha256);
            writer.WriteNumber("records", Records);
            writer.WriteString("lastChanged", LastChanged);
            writer.WriteEndObject();
        }

        return body.ToArray();
    }

    /// <summary>The hash of a set of SOP Instance UIDs, as <see cref="SopInstanceUidsSha256"/> is defined.</summary>
    public static string HashOf(IEnumerable<string> sopInstanceUids)
    {
        var text = new StringBuilder();
        foreach (var uid in sopInstanceUids.Order(StringComparer.Ordinal)) text.Append(uid).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>
/// Finds the studies that went quiet (no record written for <see cref="QuietTime"/>, counted from the end of the last
/// stamp's interval, see <see cref="StudyIndex"/>) and changed since their last message,
/// and sends one message per study to the <c>study-complete</c> queue. State lives in the audit table's study index, not
/// in memory, so any instance may run the scan after any restart. A study is marked emitted with the count and hash it was
/// sent with, on condition that its index row did not change meanwhile: a late record re-opens the study and it is sent
/// again once quiet; a study rewritten by a retry with nothing new is marked without a second message. A crash between
/// sending and marking sends the same message again: delivery is at least once, and the hash tells duplicates apart.
/// </summary>
public sealed class QuietStudies
{
    public const string DefaultQueueName = "study-complete";
    public static readonly TimeSpan DefaultQuietTime = TimeSpan.FromMinutes(10);

    private static readonly string[] CountedColumns = ["RowKey", AuditEntity.Outcome, AuditEntity.Reason, AuditEntity.Series];

    private readonly AuditTable _audit;
    private readonly QueueClient _queue;
    private readonly TimeProvider _time;

    public QuietStudies(AuditTable audit, QueueClient queue, TimeSpan quietTime, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(quietTime, TimeSpan.Zero);
        _audit = audit;
        _queue = queue;
        QuietTime = quietTime;
        _time = time ?? TimeProvider.System;
    }

    public TimeSpan QuietTime { get; }

    /// <summary>One scan: sends a message for each study quiet and changed, and returns what was sent.</summary>
    public async Task<IReadOnlyList<StudySummary>> EmitAsync(CancellationToken cancellationToken = default)
    {
        var sent = new List<StudySummary>();
        var quietBefore = _time.GetUtcNow() - QuietTime;
        foreach (var row in await _audit.StudyIndex.ListPendingAsync(cancellationToken).ConfigureAwait(false))
        {
            // A record may have been written without a stamp until UnstampedUntil: the quiet time counts from then.
            if (row.UnstampedUntil > quietBefore) continue;
            var summary = await SummarizeAsync(row, cancellationToken).ConfigureAwait(false);
            bool changed = summary.Records != row.EmittedRecords || summary.SopInstanceUidsSha256 != row.EmittedHash;
            if (changed)
            {
                await _queue.SendMessageAsync(new BinaryData(summary.ToJson()), cancellationToken: cancellationToken).ConfigureAwait(false);
                sent.Add(summary);
            }

            await _audit.StudyIndex.TryMarkEmittedAsync(row, summary.Records, summary.SopInstanceUidsSha256, cancellationToken).ConfigureAwait(false);
        }

        return sent;
    }

    private async Task<StudySummary> SummarizeAsync(StudyIndexRow row, CancellationToken cancellationToken)
    {
        var rows = await _audit.ReadRowsAsync(row.StudyPartition, CountedColumns, cancellationToken).ConfigureAwait(false);
        var instances = rows.Where(r => r.GetString(AuditEntity.Outcome) == AuditEntity.Deidentified).ToList();
        var quarantined = rows.Where(r => r.GetString(AuditEntity.Outcome) == AuditEntity.Refused)
            .GroupBy(r => r.GetString(AuditEntity.Reason) ?? "Unknown", StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        return new StudySummary(
            row.StudyInstanceUid,
            instances.Select(r => r.GetString(AuditEntity.Series)).Distinct(StringComparer.Ordinal).Count(),
            instances.Count,
            quarantined,
            StudySummary.HashOf(instances.Select(r => r.RowKey)),
            rows.Count,
            row.LastChanged);
    }
}
