using Azure.Storage.Blobs;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>Issue 14: the blob requests one file costs, counted on the wire, and a lost race reported as such.</summary>
public sealed class RequestsPerFileTests
{
    [Fact]
    public async Task ASmallFileCostsOneReadOneWriteAndOneMark()
    {
        var counter = new RequestCounter();
        var pipeline = await Pipeline.CreateAsync(counter.AddTo(new BlobClientOptions()));
        const int files = 5;
        await UploadOneStudyAsync(pipeline, files);

        var (processor, store, _) = pipeline.NewProcessor();
        counter.Reset();
        for (int i = 0; i < files; i++)
        {
            Assert.Equal(IngressOutcomeKind.Egress, (await processor.ProcessAsync($"f{i}.dcm")).Kind);
        }

        // Snapshot (ranged GET with properties and metadata), Put Blob (If-None-Match: *), Set Metadata (If-Match).
        Assert.Equal([new("GET", files), new("PUT", files), new("PUT comp=metadata", files)], counter.ByOperation);
        Assert.InRange(store.RoundTrips, files, files + 3); // one transaction per file, plus the first file's reads of a new study and patient
    }

    [Fact]
    public async Task RecordingCostsTwoTableRequestsPerFileAndNoBlobRequest()
    {
        var counter = new RequestCounter();
        var pipeline = await Pipeline.CreateAsync(counter.AddTo(new BlobClientOptions()));
        const int files = 5;
        await UploadOneStudyAsync(pipeline, files);

        var audit = await pipeline.NewAuditAsync();
        var (processor, store, _) = pipeline.NewProcessor(audit: audit);
        counter.Reset();
        for (int i = 0; i < files; i++)
        {
            Assert.Equal(IngressOutcomeKind.Egress, (await processor.ProcessAsync($"f{i}.dcm")).Kind);
        }

        // The record's row and the study's index stamp; a record of this size fits its row, so no blob.
        Assert.Equal(2 * files, audit.TableRequests);
        Assert.Equal([new("GET", files), new("PUT", files), new("PUT comp=metadata", files)], counter.ByOperation);
        Assert.InRange(store.RoundTrips, files, files + 3);
    }

    [Fact]
    public async Task UnderAStampIntervalRecordingCostsOneTableRequestPerFileAndOneStampPerStudy()
    {
        var pipeline = await Pipeline.CreateAsync();
        const int files = 5;
        await UploadOneStudyAsync(pipeline, files);

        var audit = await pipeline.NewAuditAsync(stampInterval: AuditTable.DefaultStampInterval);
        var (processor, _, _) = pipeline.NewProcessor(audit: audit);
        for (int i = 0; i < files; i++)
        {
            Assert.Equal(IngressOutcomeKind.Egress, (await processor.ProcessAsync($"f{i}.dcm")).Kind);
        }

        Assert.Equal(files + 1, audit.TableRequests);
    }

    [Fact]
    public async Task ProcessorsRacingOnOneBlobWriteItOnceAndNoneFails()
    {
        var pipeline = await Pipeline.CreateAsync();
        // Above one block: the losers' ranged reads meet the winner's mark (412) while they work.
        var bytes = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), SyntheticCt.NewUid(), SyntheticCt.NewUid(), SyntheticCt.NewUid(),
            pixelBytes: 512 * 12_000);
        await pipeline.UploadAsync("contested.dcm", bytes);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => pipeline.NewProcessor().Processor.ProcessAsync("contested.dcm"))));

        Assert.Single(outcomes, outcome => outcome.Kind == IngressOutcomeKind.Egress);
        Assert.All(outcomes, outcome => Assert.Contains(outcome.Kind, new[] { IngressOutcomeKind.Egress, IngressOutcomeKind.AlreadyDone, IngressOutcomeKind.DoneByAnother }));
        Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Egress));
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Quarantine));
    }

    /// <summary>Files f0.dcm … of one patient's study and series in ingress.</summary>
    private static async Task UploadOneStudyAsync(Pipeline pipeline, int files)
    {
        string patient = SyntheticCt.NewMarker(), study = SyntheticCt.NewUid(), series = SyntheticCt.NewUid();
        for (int i = 0; i < files; i++)
        {
            await pipeline.UploadAsync($"f{i}.dcm", await SyntheticCt.CreateAsync(patient, study, series, SyntheticCt.NewUid()));
        }
    }
}
