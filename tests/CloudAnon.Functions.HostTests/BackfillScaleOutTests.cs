using System.Diagnostics;
using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// A backfill as Flex Consumption runs it, scaled out: 2,000 blobs that were in ingress before the subscription are
/// enqueued by the backfill engine, which is stopped midway and resumed, while four hosts of the app (each with its own
/// worker, as four instances) drain the queue through Microsoft's queue extension. Each file lands in egress once.
/// Prints the figures of docs/measurements.md (messages/s enqueued, files/s drained by the four).
/// </summary>
public sealed class BackfillScaleOutTests(ITestOutputHelper output)
{
    private const int Blobs = 2000;
    private const int Hosts = 4;
    private const int PageSize = 250;

    [Fact]
    public async Task Two_thousand_blobs_enqueued_stopped_resumed_and_drained_by_four_hosts_land_once_each()
    {
        using var hostJson = new FastPollingHostJson();
        var settings = await IngressHost.DefaultSettingsAsync();
        var apps = new List<IngressHost>();
        try
        {
            for (var i = 0; i < Hosts; i++) apps.Add(await IngressHost.StartAsync(settings, hostJson.Path));
            var app = apps[0];
            var files = await TestFiles.DistinctInstancesAsync("ts/explicit_le/MR_small.dcm", Blobs);
            var names = Enumerable.Range(0, Blobs).Select(i => $"archive/{i / 100:D2}/{i:D4}.dcm").ToList();
            await app.UploadAllAsync(names, files);

            var enqueuer = await app.NewBackfillEnqueuerAsync();
            var options = new BackfillOptions { PageSize = PageSize };
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                enqueuer.RunAsync(options, sent => { if (sent >= 3 * PageSize) stop.Cancel(); }, stop.Token));
            var resumed = await enqueuer.RunAsync(options);
            var enqueued = clock.Elapsed;
            await app.WaitUntilProcessedAsync(names, TimeSpan.FromMinutes(8));
            var drained = clock.Elapsed;

            Assert.True(resumed.Resumed);
            Assert.InRange(resumed.Enqueued, Blobs - 4 * PageSize, Blobs - 3 * PageSize); // continued after the saved page
            Assert.True((await enqueuer.RunAsync(options)).AlreadyComplete);
            var egress = await BlobListing.ListAsync(app.Containers.Egress);
            Assert.Equal(Blobs, egress.Select(blob => blob.Name).Distinct().Count());
            Assert.Equal(Blobs, egress.Count);
            Assert.Empty(await BlobListing.ListAsync(app.Containers.Quarantine));
            Assert.All(await BlobListing.ListAsync(app.Containers.Ingress), blob => Assert.Equal(IngressMetadata.ProcessedEgress, blob.Metadata[IngressMetadata.Processed]));
            // Every instance took a share; a message enqueued twice (the page under way when the run stopped) is skipped.
            var invocations = apps.Select(host => host.BackfillInvocations.Count).ToList();
            Assert.All(invocations, count => Assert.True(count > 0, $"a host did none of the work: {string.Join(", ", invocations)}"));
            Assert.InRange(invocations.Sum(), Blobs, Blobs + PageSize);
            Assert.False(await IngressHost.BackfillPoisonQueue(settings).ExistsAsync());
            output.WriteLine($"backfill of {Blobs} files of {files[0].Length / 1024} KiB, stopped and resumed: enqueued in {enqueued.TotalSeconds:F1} s " +
                $"({Blobs / enqueued.TotalSeconds:F0} messages/s); drained by {Hosts} hosts in {drained.TotalSeconds:F1} s from the first message " +
                $"({Blobs / drained.TotalSeconds:F1} files/s; invocations per host {string.Join(", ", invocations)})");
        }
        finally
        {
            foreach (var app in apps) await app.DisposeAsync();
        }
    }
}
