using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using CloudAnon.Azure.Ingress;

namespace CloudAnon.Azure.Backfill;

/// <summary>Settings of one backfill run.</summary>
public sealed record BackfillOptions
{
    /// <summary>Only blobs whose names start with this.</summary>
    public string? Prefix { get; init; }

    /// <summary>Blobs per listing page (the service's maximum is 5,000): the unit of progress that is saved.</summary>
    public int PageSize { get; init; } = 5000;

    /// <summary>Messages sent at the same time (the queue has no batch send).</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Ignore a saved position and list from the start.</summary>
    public bool Restart { get; init; }
}

/// <param name="Enqueued">Messages sent by this run.</param>
/// <param name="Skipped">Blobs already marked processed, not enqueued.</param>
/// <param name="Resumed">Whether the run continued from a saved position.</param>
/// <param name="AlreadyComplete">A previous run had finished; nothing was listed.</param>
public sealed record BackfillResult(long Enqueued, long Skipped, bool Resumed, bool AlreadyComplete, TimeSpan Duration);

/// <summary>
/// Lists the ingress container and puts one message per unprocessed blob (its name) on the backfill queue, for the
/// queue-trigger function to hand to the <see cref="IngressProcessor"/>. After each listing page whose messages were all
/// sent, the continuation marker is saved (<see cref="BackfillState"/>), so a stopped run continues where it stopped;
/// at most one page is sent twice, and the processor makes a second message for a blob a no-op.
/// </summary>
public sealed class BackfillEnqueuer(BlobContainerClient ingress, QueueClient queue, TableClient table, byte[] mappingKey)
{
    /// <param name="progress">Called after each page with the messages sent so far by this run.</param>
    public async Task<BackfillResult> RunAsync(BackfillOptions options, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stopwatch = Stopwatch.StartNew();
        var state = new BackfillState(table, mappingKey, ingress.Name, options.Prefix);
        var saved = options.Restart ? null : await state.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (saved is { Completed: true })
        {
            return new BackfillResult(0, 0, Resumed: true, AlreadyComplete: true, stopwatch.Elapsed);
        }

        long enqueued = 0, skipped = 0, total = saved?.Enqueued ?? 0;
        var pages = ingress.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, options.Prefix, cancellationToken)
            .AsPages(saved?.Marker, options.PageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            var pending = page.Values.Where(blob => !blob.Metadata.ContainsKey(IngressMetadata.Processed)).Select(blob => blob.Name).ToList();
            skipped += page.Values.Count - pending.Count;
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                async (name, token) => await queue.SendMessageAsync(name, token).ConfigureAwait(false)).ConfigureAwait(false);
            enqueued += pending.Count;
            total += pending.Count;
            bool last = string.IsNullOrEmpty(page.ContinuationToken);
            await state.SaveAsync(new BackfillState.Saved(last ? null : page.ContinuationToken, total, last), cancellationToken).ConfigureAwait(false);
            progress?.Invoke(enqueued);
        }

        return new BackfillResult(enqueued, skipped, saved is not null, AlreadyComplete: false, stopwatch.Elapsed);
    }
}
