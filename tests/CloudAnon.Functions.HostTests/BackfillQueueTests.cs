using System.Diagnostics;
using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The backfill on its real trigger path: <c>cloudanon backfill</c>'s engine (<see cref="BackfillEnqueuer"/>) lists the
/// blobs that were in ingress before the Event Grid subscription and enqueues them; Microsoft's queue extension polls the
/// queue and hands each message to the real worker's DeidentifyBackfillBlob, beside the blob trigger serving new blobs.
/// </summary>
public sealed class BackfillQueueTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Backfilled_blobs_are_each_done_once_and_a_blob_the_blob_trigger_did_is_skipped()
    {
        using var hostJson = new FastPollingHostJson();
        var settings = await IngressHost.DefaultSettingsAsync();
        await using var app = await IngressHost.StartAsync(settings, hostJson.Path);
        var files = await TestFiles.DistinctInstancesAsync(TestFiles.HalfMegabyteCt, 21);

        // One blob arrives after the subscription: the blob trigger does it.
        const string live = "site-b/live.dcm";
        await app.UploadAndNotifyAsync(live, files[0]);
        await app.WaitUntilProcessedAsync([live], Timeout);
        var liveEgress = Assert.Single(await BlobListing.ListAsync(app.Containers.Egress));

        // Twenty were there before it: no event ever comes for them.
        var existing = Enumerable.Range(1, 20).Select(i => $"site-b/before/{i:D2}.dcm").ToList();
        for (var i = 0; i < existing.Count; i++)
        {
            await app.UploadAsync(existing[i], files[i + 1]);
        }

        var queue = IngressHost.BackfillQueue(settings);
        var backfill = await (await app.NewBackfillEnqueuerAsync())
            .RunAsync(new BackfillOptions { PageSize = 8 });
        Assert.Equal(20, backfill.Enqueued);
        Assert.Equal(1, backfill.Skipped); // marked by the blob trigger: not enqueued

        // And a message for a blob settled after the listing (the blob trigger got there first): the consumer skips it.
        await queue.SendMessageAsync(live);
        await app.WaitUntilProcessedAsync(existing, Timeout);
        var invocations = await BackfillInvocationsAsync(app, expected: 21);

        Assert.All(invocations, invocation => Assert.True(invocation.Succeeded));
        var egress = await BlobListing.ListAsync(app.Containers.Egress);
        Assert.Equal(21, egress.Count);
        Assert.Equal(liveEgress.Properties.ETag, egress.Single(blob => blob.Name == liveEgress.Name).Properties.ETag);
        var ingress = await BlobListing.ListAsync(app.Containers.Ingress);
        Assert.All(ingress, blob => Assert.Equal(IngressMetadata.ProcessedEgress, blob.Metadata[IngressMetadata.Processed]));
        Assert.Single(app.Host.Log.Everything, line => line.Message.Contains("is marked processed: skipped", StringComparison.Ordinal));
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.False(await IngressHost.BackfillPoisonQueue(settings).ExistsAsync());
        PhiLogSearch.AssertShippedLinesHoldNoMarker(app.Host.Log);
    }

    /// <summary>Waits until the queue trigger has finished <paramref name="expected"/> invocations, and a moment longer for any extra one.</summary>
    private static async Task<List<Functions.TestHost.Worker.InvocationRecord>> BackfillInvocationsAsync(IngressHost app, int expected)
    {
        var waited = Stopwatch.StartNew();
        while (app.BackfillInvocations.Count < expected)
        {
            Assert.True(waited.Elapsed < Timeout, $"{app.BackfillInvocations.Count} of {expected} backfill invocations after {Timeout.TotalSeconds} s");
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // a second delivery of some message would show up here
        return app.BackfillInvocations;
    }
}
