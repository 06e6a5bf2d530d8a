using System.Diagnostics;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Functions.HostTests;

/// <summary>Many events at once through the host: each file once in egress, at the host's parallelism; prints the figures of docs/measurements.md.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class ThroughputTests(IngressHostFixture fixture, ITestOutputHelper output)
{
    private const int Events = 200;

    private IngressHost App => fixture.App;

    [Fact]
    public async Task TwoHundredEventsAtOnce_EachFileLandsInEgressOnce_AtTheHostsParallelism()
    {
        var files = await TestFiles.DistinctInstancesAsync(TestFiles.HalfMegabyteCt, Events + 2);
        var run = Guid.NewGuid().ToString("N");
        var names = Enumerable.Range(0, files.Count).Select(i => $"batch-{run}/{i:D3}.dcm").ToList();
        await App.UploadAllAsync(names, files);
        var egressBefore = (await BlobListing.ListAsync(App.Containers.Egress)).Count;
        var invocationsBefore = App.Host.Worker.Finished.Count;

        // One file alone (after one to warm up): BlobCreated posted → egress committed and the original marked.
        var single = TimeSpan.Zero;
        foreach (var name in names[..2])
        {
            var clock = Stopwatch.StartNew();
            await App.Host.PostBlobCreatedAsync(App.Containers.Ingress.GetBlobClient(name));
            await App.WaitUntilProcessedAsync([name], TimeSpan.FromSeconds(60));
            single = clock.Elapsed;
        }

        var batch = names[2..];
        var batchClock = Stopwatch.StartNew();
        await Task.WhenAll(batch.Select(name => App.Host.PostBlobCreatedAsync(App.Containers.Ingress.GetBlobClient(name))));
        await App.WaitUntilProcessedAsync(batch, TimeSpan.FromSeconds(180));
        var elapsed = batchClock.Elapsed;

        var ingress = (await BlobListing.ListAsync(App.Containers.Ingress)).Where(b => names.Contains(b.Name)).ToList();
        Assert.All(ingress, blob => Assert.Equal(IngressMetadata.ProcessedEgress, blob.Metadata[IngressMetadata.Processed]));
        Assert.Equal(egressBefore + files.Count, (await BlobListing.ListAsync(App.Containers.Egress)).Count);
        Assert.Equal(files.Count, App.Host.Worker.Finished.Count - invocationsBefore); // each blob delivered once
        var parallelism = App.Host.HostJson.MaxDegreeOfParallelism;
        Assert.InRange(App.Host.Worker.PeakConcurrentInvocations, 2, parallelism ?? int.MaxValue);

        output.WriteLine($"one 0.5 MB file, BlobCreated to egress commit: {single.TotalSeconds:F2} s");
        output.WriteLine($"{Events} events of 0.5 MB at once: {elapsed.TotalSeconds:F1} s, {Events / elapsed.TotalSeconds:F1} files/s, " +
            $"peak {App.Host.Worker.PeakConcurrentInvocations} concurrent invocations (maxDegreeOfParallelism {parallelism})");
    }
}
