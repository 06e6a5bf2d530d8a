using System.Diagnostics;
using Azure.Storage.Queues;
using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The backfill's queue consumer at volume on its real trigger path, next to a plain parallel copy of the same blobs
/// through the same Azurite (download + upload, 8 at a time) in the same run: each file once in egress, no poison
/// message; prints the figures of docs/measurements.md (enqueue messages/s, drain files/s, the ratio to the copy).
/// </summary>
public sealed class BackfillThroughputTests(ITestOutputHelper output)
{
    private const int Files = 300;

    // Drained first and not timed: the host's and the worker's first invocations compile their code paths (JIT), a
    // cost a backfill of millions of blobs pays once per instance.
    private const int WarmUpFiles = 48;

    [Fact]
    public async Task Three_hundred_backfilled_files_are_drained_once_each_next_to_a_plain_copy()
    {
        using var hostJson = new FastPollingHostJson();
        var settings = await IngressHost.DefaultSettingsAsync();
        await using var app = await IngressHost.StartAsync(settings, hostJson.Path);
        var files = await TestFiles.DistinctInstancesAsync(TestFiles.HalfMegabyteCt, WarmUpFiles + Files);
        var warmUpNames = Enumerable.Range(0, WarmUpFiles).Select(i => $"warm-up/{i:D3}.dcm").ToList();
        var names = Enumerable.Range(0, Files).Select(i => $"archive/{i:D3}.dcm").ToList();
        await app.UploadAllAsync([.. warmUpNames, .. names], files);
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        (string, int)[] emulator = azurite.ProcessId is { } azuriteId ? [("Azurite", azuriteId)] : [];
        var enqueuer = await app.NewBackfillEnqueuerAsync();
        await enqueuer.RunAsync(new BackfillOptions { Prefix = "warm-up/" });
        await DrainedAsync(app, WarmUpFiles, Stopwatch.StartNew());

        var copyCpu = new CpuMeter([.. emulator, ("copy (test process)", Environment.ProcessId)]);
        var copy = await PlainCopy.RunAsync(settings[SettingNames.Storage]!, app.Containers.Ingress.Name, AzuriteInstance.NewContainerName("copy"), jobs: 8);
        var copyCpuPerFile = copyCpu.PerUnit(WarmUpFiles + Files, "file");

        var drainCpu = new CpuMeter([.. emulator, ("host (test process)", Environment.ProcessId), ("worker", app.Host.WorkerProcessId)]);
        var clock = Stopwatch.StartNew();
        var backfill = await enqueuer.RunAsync(new BackfillOptions { Prefix = "archive/" });
        var enqueued = clock.Elapsed;
        await DrainedAsync(app, WarmUpFiles + Files, clock);
        var drained = clock.Elapsed;
        var drainCpuPerFile = drainCpu.PerUnit(Files, "file");
        await app.WaitUntilProcessedAsync(names, TimeSpan.FromSeconds(30));

        Assert.Equal(Files, backfill.Enqueued);
        var egress = await BlobListing.ListAsync(app.Containers.Egress);
        Assert.Equal(WarmUpFiles + Files, egress.Count);
        var ingress = await BlobListing.ListAsync(app.Containers.Ingress);
        Assert.All(ingress, blob => Assert.Equal(IngressMetadata.ProcessedEgress, blob.Metadata[IngressMetadata.Processed]));
        Assert.False(await IngressHost.BackfillPoisonQueue(settings).ExistsAsync());

        var queueOnly = await QueueTrafficAsync(settings[SettingNames.Storage]!, emulator);

        double drainRate = Files / drained.TotalSeconds;
        output.WriteLine($"plain copy, 8 at a time: {copy}; {copyCpuPerFile}");
        output.WriteLine($"backfill of {Files} files of 0.5 MB: enqueued in {enqueued.TotalSeconds:F1} s ({Files / enqueued.TotalSeconds:F0} messages/s), " +
            $"drained by the queue trigger in {drained.TotalSeconds:F1} s from the first message: {drainRate:F1} files/s, " +
            $"peak {app.Host.Worker.PeakConcurrentInvocations} concurrent invocations; {drainRate / copy.FilesPerSecond:F2} of the copy; {drainCpuPerFile} (enqueueing included)");
        output.WriteLine($"the backfill's queue traffic alone (send, receive {QueueReceiveBatch} at a time, delete), {Files} messages: {queueOnly}");
    }

    // What host.json's batchSize has the queue extension ask for.
    private const int QueueReceiveBatch = 16;

    /// <summary>
    /// The queue requests a backfilled file costs, without the file: a message sent, received in a batch and deleted, on
    /// a scratch queue. Says how much of the emulator's CPU per drained file is the queue's.
    /// </summary>
    private static async Task<string> QueueTrafficAsync(string connection, (string, int)[] emulator)
    {
        var queue = new QueueClient(connection, AzuriteInstance.NewContainerName("queue-cost"));
        await queue.CreateAsync();
        var meter = new CpuMeter([.. emulator, ("its client (test process)", Environment.ProcessId)]);
        await Parallel.ForEachAsync(Enumerable.Range(0, Files), new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, token) => await queue.SendMessageAsync($"archive/{i:D3}.dcm", token));
        for (int received = 0; received < Files;)
        {
            var messages = (await queue.ReceiveMessagesAsync(QueueReceiveBatch)).Value;
            await Task.WhenAll(messages.Select(message => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt)));
            received += messages.Length;
        }

        var perMessage = meter.PerUnit(Files, "message");
        await queue.DeleteAsync();
        return perMessage;
    }

    /// <summary>
    /// Waits on the worker's own record of finished invocations, not a listing: polling Azurite for 300 blobs' metadata
    /// would take the emulator's CPU from the work being measured.
    /// </summary>
    private static async Task DrainedAsync(IngressHost app, int invocations, Stopwatch clock)
    {
        while (app.BackfillInvocations.Count < invocations)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), "the backfill did not drain in 5 minutes");
            await Task.Delay(20);
        }
    }
}
