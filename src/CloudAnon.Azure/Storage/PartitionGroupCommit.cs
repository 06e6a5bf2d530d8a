namespace CloudAnon.Azure.Storage;

/// <summary>
/// Group commit per table partition: items that arrive while a transaction into the same partition is in flight wait for
/// it and then go together in the next one, so the files of one study that a processor works on at once share round
/// trips instead of paying one each. The first caller into an idle partition sends at once (no timer, no added latency
/// when alone) and drains the partition until no one waits. A failed transaction fails every caller in it.
/// </summary>
/// <typeparam name="TItem">What one caller brings (a row, or rows of one partition).</typeparam>
/// <typeparam name="TResult">What one caller gets back.</typeparam>
/// <param name="startDrain">
/// Called once per drain: returns the commit of one batch, which answers every item in order. A drain's commit may keep
/// state across the batches it sends (the mapping store remembers what it stored).
/// </param>
/// <param name="weightOf">An item's share of a transaction; batches are cut at <paramref name="maxWeight"/> (one item always goes).</param>
internal sealed class PartitionGroupCommit<TItem, TResult>(
    Func<Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>>> startDrain,
    Func<TItem, int> weightOf,
    int maxWeight)
{
    private readonly Dictionary<string, Queue<Waiter>> _waiting = new(StringComparer.Ordinal);

    /// <summary>Commits <paramref name="item"/> into <paramref name="partitionKey"/>, alone or with other callers' items.</summary>
    public async Task<TResult> CommitAsync(string partitionKey, TItem item, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(item, cancellationToken);
        bool lead;
        lock (_waiting)
        {
            lead = !_waiting.TryGetValue(partitionKey, out var queue);
            if (lead) _waiting.Add(partitionKey, queue = new Queue<Waiter>());
            queue!.Enqueue(waiter);
        }

        // The first caller into an idle partition drains it; it does not wait for the later callers' transactions.
        if (lead) _ = DrainAsync(partitionKey);
        return await waiter.Outcome.Task.ConfigureAwait(false);
    }

    private async Task DrainAsync(string partitionKey)
    {
        var commit = startDrain();
        while (TakeBatch(partitionKey) is { } batch)
        {
            try
            {
                // The batch runs under its first caller's token: the one that waited longest.
                var results = await commit([.. batch.Select(waiter => waiter.Item)], batch[0].CancellationToken).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++) batch[i].Outcome.SetResult(results[i]);
            }
            catch (Exception exception)
            {
                foreach (var waiter in batch) waiter.Outcome.SetException(exception);
            }
        }
    }

    /// <summary>The next callers whose items fit one transaction (at least one), or null when the partition is idle again.</summary>
    private List<Waiter>? TakeBatch(string partitionKey)
    {
        lock (_waiting)
        {
            var queue = _waiting[partitionKey];
            if (queue.Count == 0)
            {
                _waiting.Remove(partitionKey);
                return null;
            }

            var batch = new List<Waiter> { queue.Dequeue() };
            int weight = weightOf(batch[0].Item);
            while (queue.TryPeek(out var next) && weight + weightOf(next.Item) <= maxWeight)
            {
                weight += weightOf(next.Item);
                batch.Add(queue.Dequeue());
            }

            return batch;
        }
    }

    private sealed record Waiter(TItem Item, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<TResult> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
