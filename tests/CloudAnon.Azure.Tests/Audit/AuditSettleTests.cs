using Azure;
using Azure.Data.Tables;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.Tests.Ingress;
using CloudAnon.Core.Audit;

namespace CloudAnon.Azure.Tests.Audit;

/// <summary>
/// The record is written in the settle step, after the output and before the ingress blob is marked: a storage fault
/// between output and record leaves the blob unsettled, and its retry leaves both, once.
/// </summary>
public sealed class AuditSettleTests
{
    public static TheoryData<int, string, int> Faults => new()
    {
        { 1, "YES", 0 }, // the record's row fails: the output (quarantine copy) exists, the record does not
        { 1, "NO", 0 },  // the same for an egress output
        { 2, "NO", 0 },  // the record's row is written, the study's index stamp fails
        { 2, "NO", 30 }, // the same under a stamp interval: the failed stamp is not taken for done, so the retry stamps
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AFaultBetweenOutputAndRecordLeavesBothOnceAfterTheRetry(int failingUpsert, string burnedInAnnotation, int stampSeconds)
    {
        var pipeline = await Pipeline.CreateAsync();
        var table = new UpsertFailingTable(pipeline.Azurite.ConnectionString, (await pipeline.Azurite.CreateTableAsync("audit")).Name, failingUpsert);
        var audit = await pipeline.NewAuditAsync(table, stampInterval: TimeSpan.FromSeconds(stampSeconds));
        var (processor, _, _) = pipeline.NewProcessor(audit: audit);
        string study = SyntheticCt.NewUid(), marker = SyntheticCt.NewMarker();
        await pipeline.UploadAsync("scan.dcm", await SyntheticCt.CreateAsync(marker, study, SyntheticCt.NewUid(), SyntheticCt.NewUid(), burnedInAnnotation));
        bool refused = burnedInAnnotation == "YES";

        var fault = await Assert.ThrowsAsync<RequestFailedException>(() => processor.ProcessAsync("scan.dcm"));
        Assert.Equal(503, fault.Status);
        var output = Assert.Single(await Pipeline.ListAsync(refused ? pipeline.Containers.Quarantine : pipeline.Containers.Egress));
        Assert.DoesNotContain(IngressMetadata.Processed, Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Ingress)).Metadata.Keys);

        var retry = await processor.ProcessAsync("scan.dcm");

        Assert.Equal(refused ? IngressOutcomeKind.Quarantine : IngressOutcomeKind.AlreadyDone, retry.Kind);
        Assert.Contains(IngressMetadata.Processed, Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Ingress)).Metadata.Keys);
        var rows = table.Query<TableEntity>().ToList();
        var recordRow = Assert.Single(rows, row => !row.PartitionKey.StartsWith('~'));
        Assert.Single(rows, row => row.PartitionKey.StartsWith("~studies-", StringComparison.Ordinal));
        var record = AuditRecord.FromJson(System.Text.Encoding.UTF8.GetBytes(recordRow.GetString("Record")));
        if (refused)
        {
            Assert.Equal((AuditOutcome.Refused, "BurnedInAnnotation", output.Name), (record.Outcome, record.Reason, recordRow.RowKey));
            Assert.NotNull(record.StudyInstanceUid);
        }
        else
        {
            Assert.Equal(output.Name, $"{record.StudyInstanceUid}/{record.SeriesInstanceUid}/{record.SopInstanceUid}.dcm");
        }

        Assert.Equal(audit.PartitionOf(record.StudyInstanceUid), recordRow.PartitionKey);
        Assert.NotEqual(study, record.StudyInstanceUid);
        foreach (var row in rows)
        {
            foreach (var value in row.Select(property => property.Value?.ToString() ?? "").Append(row.PartitionKey).Append(row.RowKey))
            {
                Assert.DoesNotContain(marker[..16], value, StringComparison.Ordinal);
                Assert.DoesNotContain(study, value, StringComparison.Ordinal);
                Assert.DoesNotContain("scan.dcm", value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task ARefusedFileJoinsTheStudyOfItsDeidentifiedInstances()
    {
        var pipeline = await Pipeline.CreateAsync();
        var audit = await pipeline.NewAuditAsync();
        string study = SyntheticCt.NewUid(), series = SyntheticCt.NewUid();
        await pipeline.UploadAsync("a.dcm", await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), study, series, SyntheticCt.NewUid()));
        await pipeline.UploadAsync("b.dcm", await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), study, series, SyntheticCt.NewUid(), "YES"));
        await pipeline.UploadAsync("c.dcm", new byte[300]);

        Assert.Equal(IngressOutcomeKind.Egress, (await pipeline.NewProcessor(audit: audit).Processor.ProcessAsync("a.dcm")).Kind);
        Assert.Equal(IngressOutcomeKind.Quarantine, (await pipeline.NewProcessor(audit: audit).Processor.ProcessAsync("b.dcm")).Kind);
        Assert.Equal(IngressOutcomeKind.Quarantine, (await pipeline.NewProcessor(audit: audit).Processor.ProcessAsync("c.dcm")).Kind);

        var egress = Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Egress)).Name;
        var records = await audit.ReadStudyAsync(egress[..egress.IndexOf('/')]);
        Assert.Equal([AuditOutcome.Deidentified, AuditOutcome.Refused], records.Select(r => r.Outcome).Order());
        Assert.Single(await audit.ReadWithoutStudyAsync());
    }

    /// <summary>An audit table whose <c>n</c>-th upsert fails with 503 before reaching the service, as a dropped connection would.</summary>
    private sealed class UpsertFailingTable(string connectionString, string name, int failingUpsert) : TableClient(connectionString, name)
    {
        private int _upserts;

        public override Task<Response> UpsertEntityAsync<T>(T entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _upserts) == failingUpsert
                ? throw new RequestFailedException(503, "Injected fault")
                : base.UpsertEntityAsync(entity, mode, cancellationToken);
    }
}
