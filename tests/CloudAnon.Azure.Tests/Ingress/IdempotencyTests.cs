using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Azure.Ingress;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>Issue 5, part 3: re-delivery writes no duplicate; a failure before commit leaves nothing visible, and a retry succeeds.</summary>
public sealed class IdempotencyTests
{
    [Fact]
    public async Task TheSameBlobTwiceGivesOneEgressBlob()
    {
        var pipeline = await Pipeline.CreateAsync();
        var bytes = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), SyntheticCt.NewUid(), SyntheticCt.NewUid(), SyntheticCt.NewUid());
        await pipeline.UploadAsync("a.dcm", bytes);
        await pipeline.UploadAsync("copy-of-a.dcm", bytes);

        var first = await pipeline.NewProcessor().Processor.ProcessAsync("a.dcm");
        var again = await pipeline.NewProcessor().Processor.ProcessAsync("a.dcm");
        var copy = await pipeline.NewProcessor().Processor.ProcessAsync("copy-of-a.dcm");

        Assert.Equal(IngressOutcomeKind.Egress, first.Kind);
        Assert.Equal(IngressOutcomeKind.AlreadyDone, again.Kind); // marked after the first run
        Assert.Equal((IngressOutcomeKind.AlreadyDone, first.EgressBlobName), (copy.Kind, copy.EgressBlobName)); // same name from the mapping
        Assert.Equal([first.EgressBlobName], (await Pipeline.ListAsync(pipeline.Containers.Egress)).Select(b => b.Name));
    }

    [Fact]
    public async Task AFaultBetweenStagingAndCommitLeavesNothingAndARetrySucceeds()
    {
        var pipeline = await Pipeline.CreateAsync();
        var faulty = new CommitFailingContainer(pipeline.Azurite.ConnectionString, pipeline.Containers.Egress.Name);
        var containers = pipeline.Containers with { Egress = faulty };
        var (processor, _, _) = pipeline.NewProcessor(containers: containers);
        // Above one 4 MiB block, so the failed attempt really staged blocks.
        var bytes = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), SyntheticCt.NewUid(), SyntheticCt.NewUid(), SyntheticCt.NewUid(),
            pixelBytes: 512 * 10_000);
        await pipeline.UploadAsync("scan.dcm", bytes);

        var fault = await Assert.ThrowsAsync<RequestFailedException>(() => processor.ProcessAsync("scan.dcm"));
        Assert.Equal(503, fault.Status);
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Egress));
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Quarantine));
        var ingress = Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Ingress));
        Assert.DoesNotContain(IngressMetadata.Processed, ingress.Metadata.Keys); // left for the retry

        var retry = await processor.ProcessAsync("scan.dcm");

        Assert.Equal(IngressOutcomeKind.Egress, retry.Kind);
        var egress = Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Egress));
        Assert.Equal(retry.EgressBlobName, egress.Name);
        Assert.True(egress.Properties.ContentLength > 4 * 1024 * 1024);
    }

    [Fact]
    public async Task TheIngressBlobIsDeletedAfterCommitWhenAskedAndKeptOtherwise()
    {
        var pipeline = await Pipeline.CreateAsync();
        var bytes = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), SyntheticCt.NewUid(), SyntheticCt.NewUid(), SyntheticCt.NewUid());
        await pipeline.UploadAsync("deleted.dcm", bytes);
        await pipeline.UploadAsync("refused.dcm", bytes[..200]);

        var deleting = pipeline.NewProcessor(new IngressProcessorOptions { DeleteIngressAfterSuccess = true }).Processor;
        Assert.Equal(IngressOutcomeKind.Egress, (await deleting.ProcessAsync("deleted.dcm")).Kind);
        Assert.Equal(IngressOutcomeKind.Quarantine, (await deleting.ProcessAsync("refused.dcm")).Kind);
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Ingress));
        Assert.Equal(IngressOutcomeKind.AlreadyDone, (await deleting.ProcessAsync("deleted.dcm")).Kind); // a late re-delivery
        Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Egress));
        Assert.Single(await Pipeline.ListAsync(pipeline.Containers.Quarantine));
    }

    /// <summary>An egress container whose block blobs fail their first commit with 503, as a dropped connection would.</summary>
    private sealed class CommitFailingContainer : BlobContainerClient
    {
        private readonly string _connectionString;
        private int _failures = 1;

        public CommitFailingContainer(string connectionString, string name)
            : base(connectionString, name) => _connectionString = connectionString;

        protected override BlockBlobClient GetBlockBlobClientCore(string blobName) =>
            new CommitFailingBlob(this, _connectionString, Name, blobName);

        public bool TakeFailure() => Interlocked.Decrement(ref _failures) >= 0;

        private sealed class CommitFailingBlob(CommitFailingContainer owner, string connectionString, string container, string blob)
            : BlockBlobClient(connectionString, container, blob)
        {
            public override Task<Response<BlobContentInfo>> CommitBlockListAsync(
                IEnumerable<string> base64BlockIds, CommitBlockListOptions options, CancellationToken cancellationToken = default) =>
                owner.TakeFailure()
                    ? throw new RequestFailedException(503, "injected fault before commit")
                    : base.CommitBlockListAsync(base64BlockIds, options, cancellationToken);
        }
    }
}
