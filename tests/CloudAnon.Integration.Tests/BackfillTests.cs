using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure.Storage.Queues;
using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;

namespace CloudAnon.Integration.Tests;

/// <summary>
/// Issue 14: a backfill of 2,000 existing blobs through a real Storage Queue on Azurite, drained by 4 concurrent
/// consumers (each its own processor, as Flex Consumption instances would be), the enqueuing stopped midway and resumed.
/// The consumers stand in for the Functions host's queue listener: receive, hand the name to the processor, delete.
/// </summary>
public sealed class BackfillTests
{
    private const int Blobs = 2000;

    [Fact]
    public async Task TwoThousandBlobsAreEnqueuedStoppedResumedAndDrainedByFourConsumersEachFileOnce()
    {
        var pipeline = await Pipeline.CreateAsync();
        var queue = new QueueClient(pipeline.Azurite.ConnectionString, AzuriteInstance.NewContainerName("backfill"),
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        await UploadAsync(pipeline);
        // One blob is done already (by the blob trigger, say): the backfill must not enqueue it.
        var done = await pipeline.NewProcessor().Processor.ProcessAsync("s00/0000.dcm");
        Assert.Equal(IngressOutcomeKind.Egress, done.Kind);

        var enqueuer = new BackfillEnqueuer(pipeline.Containers.Ingress, queue, pipeline.Table, pipeline.MappingKey);
        var options = new BackfillOptions { PageSize = 250 };
        using var enqueuing = new CancellationTokenSource();
        var outcomes = new ConcurrentBag<IngressOutcomeKind>();
        var consumers = Enumerable.Range(0, 4).Select(_ => ConsumeAsync(pipeline, queue, outcomes, enqueuing.Token)).ToList();

        using var stop = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            enqueuer.RunAsync(options, sent => { if (sent >= 3 * 250) stop.Cancel(); }, stop.Token));
        var resumed = await enqueuer.RunAsync(options);
        await enqueuing.CancelAsync();
        await Task.WhenAll(consumers);

        Assert.True(resumed.Resumed);
        Assert.InRange(resumed.Enqueued, Blobs - 1 - 4 * 250, Blobs - 1 - 3 * 250); // continued after the saved page
        Assert.True((await enqueuer.RunAsync(options)).AlreadyComplete);
        var egress = await Pipeline.ListAsync(pipeline.Containers.Egress);
        Assert.Equal(Blobs, egress.Count);
        Assert.Equal(Blobs, egress.Select(blob => blob.Name).Distinct().Count());
        Assert.Empty(await Pipeline.ListAsync(pipeline.Containers.Quarantine));
        Assert.All(await Pipeline.ListAsync(pipeline.Containers.Ingress), blob => Assert.Equal(IngressMetadata.ProcessedEgress, blob.Metadata[IngressMetadata.Processed]));
        Assert.Equal(Blobs - 1, outcomes.Count(kind => kind == IngressOutcomeKind.Egress));
        Assert.DoesNotContain(IngressOutcomeKind.Quarantine, outcomes);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task TheSavedPositionNamesNoBlob()
    {
        var pipeline = await Pipeline.CreateAsync();
        var queue = new QueueClient(pipeline.Azurite.ConnectionString, AzuriteInstance.NewContainerName("backfill"));
        await queue.CreateAsync();
        foreach (var name in new[] { "DOE^JOHN/a.dcm", "DOE^JOHN/b.dcm", "DOE^JOHN/c.dcm" })
        {
            await pipeline.UploadAsync(name, RandomNumberGenerator.GetBytes(16));
        }

        using var stop = new CancellationTokenSource();
        var enqueuer = new BackfillEnqueuer(pipeline.Containers.Ingress, queue, pipeline.Table, pipeline.MappingKey);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enqueuer.RunAsync(new BackfillOptions { PageSize = 1 }, _ => stop.Cancel(), stop.Token));

        var row = Assert.Single(pipeline.Table.Query<global::Azure.Data.Tables.TableEntity>());
        Assert.Equal(BackfillState.PartitionKey, row.PartitionKey);
        Assert.All(((IDictionary<string, object>)row).Values.OfType<string>().Append(row.RowKey), text => Assert.DoesNotContain("DOE", text, StringComparison.Ordinal));
        Assert.All(((IDictionary<string, object>)row).Values.OfType<string>(), text => Assert.DoesNotContain("DOE", DecodeBase64(text), StringComparison.Ordinal));
        Assert.Equal(2, (await enqueuer.RunAsync(new BackfillOptions { PageSize = 1 })).Enqueued);
    }

    private static string DecodeBase64(string text)
    {
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out int length) ? System.Text.Encoding.Latin1.GetString(bytes, 0, length) : "";
    }

    /// <summary>2,000 small instances in 40 studies of 50, uploaded 32 at a time.</summary>
    private static async Task UploadAsync(Pipeline pipeline)
    {
        var studies = Enumerable.Range(0, Blobs / 50).Select(_ => (Patient: SyntheticDicom.NewMarker(), Study: SyntheticDicom.NewUid(), Series: SyntheticDicom.NewUid())).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, Blobs), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var (patient, study, series) = studies[i / 50];
            await pipeline.UploadAsync($"s{i / 50:D2}/{i:D4}.dcm", await SyntheticDicom.CreateAsync(patient, study, series, SyntheticDicom.NewUid()));
        });
    }

    /// <summary>One consumer: receives up to 32 messages, processes them 8 at a time, deletes each done one; ends when told and the queue is empty.</summary>
    private static async Task ConsumeAsync(Pipeline pipeline, QueueClient queue, ConcurrentBag<IngressOutcomeKind> outcomes, CancellationToken enqueuingDone)
    {
        var processor = pipeline.NewProcessor().Processor;
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(2))).Value;
            if (messages.Length == 0)
            {
                if (enqueuingDone.IsCancellationRequested && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0) return;
                await Task.Delay(50);
                continue;
            }

            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (message, _) =>
            {
                outcomes.Add((await processor.ProcessAsync(message.MessageText)).Kind);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            });
        }
    }
}
