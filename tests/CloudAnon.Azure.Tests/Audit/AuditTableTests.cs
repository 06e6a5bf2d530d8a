using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CloudAnon.Azure.Audit;
using CloudAnon.Core;
using CloudAnon.Core.Audit;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Audit;

/// <summary>The audit table on Azurite: rows by de-identified study, large records in blobs, the study index.</summary>
public sealed class AuditTableTests
{
    private static readonly DeidentificationOptions Options = new();

    [Fact]
    public async Task RecordsAreReadBackByStudyWithRefusalsAndLargeRecordsAndNothingIsDuplicatedByARewrite()
    {
        var (audit, table, blobs) = await OpenAsync();
        string study = NewUid(), series = NewUid(), otherStudy = NewUid();
        var small = Deidentified(study, series, NewUid(), attributes: 3);
        var large = Deidentified(study, series, NewUid(), attributes: 2_000);
        Assert.True(large.ToJson().Length > AuditTable.MaxInlineRecordBytes);
        var refused = AuditRecord.Refused(Options, "Truncated") with { StudyInstanceUid = study };
        var unknown = AuditRecord.Refused(Options, "NotDicom");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await audit.WriteAsync(small, quarantineName: null);
        await audit.WriteAsync(large, quarantineName: null);
        await audit.WriteAsync(refused, quarantineName: new string('a', 64));
        await audit.WriteAsync(unknown, quarantineName: new string('b', 64));
        await audit.WriteAsync(Deidentified(otherStudy, NewUid(), NewUid(), attributes: 1), quarantineName: null);
        await audit.WriteAsync(small, quarantineName: null); // a retried delivery

        var records = await audit.ReadStudyAsync(study);
        Assert.Equal(3, records.Count);
        Assert.Equal(large.Attributes.Count, Assert.Single(records, r => r.SopInstanceUid == large.SopInstanceUid).Attributes.Count);
        Assert.Equal(small.Attributes, Assert.Single(records, r => r.SopInstanceUid == small.SopInstanceUid).Attributes);
        Assert.Equal("Truncated", Assert.Single(records, r => r.Outcome == AuditOutcome.Refused).Reason);
        Assert.Equal("NotDicom", Assert.Single(await audit.ReadWithoutStudyAsync()).Reason);

        var blob = Assert.Single(blobs.GetBlobs());
        Assert.Equal($"{audit.PartitionOf(study)}/{large.SopInstanceUid}.json", blob.Name);
        var rows = table.Query<TableEntity>().ToList();
        Assert.All(rows.Where(r => r.PartitionKey == audit.PartitionOf(study)), row => Assert.DoesNotContain(study, row.PartitionKey));
        Assert.Equal(3 + 1 + 1 + 2, rows.Count); // records of both studies, the one without, two index rows

        var changed = await audit.ListStudiesChangedSinceAsync(before);
        Assert.Equal(new[] { study, otherStudy }.Order(), changed.Select(c => c.StudyInstanceUid).Order());
        Assert.Empty(await audit.ListStudiesChangedSinceAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task AStudyIsPartitionedAsTheMappingTablePartitionsStudies()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var (audit, _, _) = await OpenAsync(key);
        var (other, _, _) = await OpenAsync(key);
        var (otherKey, _, _) = await OpenAsync();
        string study = NewUid();

        Assert.StartsWith("s-", audit.PartitionOf(study), StringComparison.Ordinal);
        Assert.Equal(audit.PartitionOf(study), other.PartitionOf(study));
        Assert.NotEqual(audit.PartitionOf(study), otherKey.PartitionOf(study));
        Assert.Equal(AuditTable.NoStudyPartition, audit.PartitionOf(null));
    }

    [Fact]
    public async Task ConcurrentWritesOfAStudyUnderAStampIntervalShareOneStamp()
    {
        var (audit, table, _) = await OpenAsync(stampInterval: TimeSpan.FromMinutes(1));
        string study = NewUid(), series = NewUid();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => audit.WriteAsync(Deidentified(study, series, NewUid(), attributes: 2), null))));

        Assert.Equal(16 + 1, audit.TableRequests);
        var rows = table.Query<TableEntity>().ToList();
        Assert.Equal(16, rows.Count(row => row.PartitionKey == audit.PartitionOf(study)));
        Assert.Single(rows, row => row.PartitionKey.StartsWith("~studies-", StringComparison.Ordinal));
    }

    internal static async Task<(AuditTable Audit, TableClient Table, BlobContainerClient Blobs)> OpenAsync(
        byte[]? key = null, TimeProvider? time = null, TimeSpan stampInterval = default)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var table = await azurite.CreateTableAsync("audit");
        var blobs = await azurite.CreateBlobContainerAsync("audit");
        return (new AuditTable(table, blobs, key ?? RandomNumberGenerator.GetBytes(32), time, stampInterval), table, blobs);
    }

    internal static string NewUid() => "2.25." + new System.Numerics.BigInteger(RandomNumberGenerator.GetBytes(16), isUnsigned: true);

    internal static AuditRecord Deidentified(string study, string series, string sop, int attributes) =>
        AuditRecord.Refused(Options, "unused") with
        {
            Outcome = AuditOutcome.Deidentified,
            Reason = null,
            StudyInstanceUid = study,
            SeriesInstanceUid = series,
            SopInstanceUid = sop,
            TransferSyntaxUid = "1.2.840.10008.1.2.1",
            Attributes = [.. Enumerable.Range(0, attributes).Select(i => new AttributeAudit($"(0009,{i:X4})", AttributeAction.Removed, 1))],
        };
}
