using Azure.Data.Tables;

namespace CloudAnon.Azure.Mapping;

/// <summary>What one caller's rows came to: the values stored for them, and whether a transaction met a row that exists.</summary>
/// <param name="Stored">Row key → stored value for every row of the caller that is now in the table.</param>
/// <param name="Conflicted">True when some rows were not stored because another writer holds them: read, then retry those.</param>
internal sealed record InsertOutcome(IReadOnlyDictionary<string, string> Stored, bool Conflicted);

/// <summary>
/// Group commit of new rows per partition. Rows that arrive while a transaction into the same partition is in flight wait
/// for it and then go together in the next one (up to the service's 100 operations), so the files of one study that a
/// processor works on at once share round trips instead of paying one each. A row offered twice goes once, with the
/// first proposal: both callers get what was stored, as they would from the table after a race.
/// </summary>
internal sealed class PartitionInsertBatcher(
    Func<IReadOnlyList<TableEntity>, CancellationToken, Task<bool>> submitTransaction)
{
    /// <summary>
    /// How many stored rows a drain remembers to answer re-offered rows from. A busy partition's drain can last as long as
    /// files keep coming, so it forgets beyond this; a row re-offered after that meets itself in the table (409) and the
    /// caller reads it, as after any race.
    /// </summary>
    private const int StoredRowsKept = 10 * TableMappingStore.MaxActionsPerTransaction;

    private readonly Dictionary<string, Queue<Waiter>> _waiting = new(StringComparer.Ordinal);

    /// <summary>Inserts <paramref name="rows"/> (all of one partition), alone or with other callers' rows.</summary>
    public async Task<InsertOutcome> InsertAsync(string partitionKey, IReadOnlyCollection<TableEntity> rows, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(rows, cancellationToken);
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
        // What this drain stored: a row a later caller offers again (a new series of several files) is answered from it.
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        while (TakeBatch(partitionKey) is { } batch)
        {
            if (stored.Count > StoredRowsKept) stored.Clear();
            var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            foreach (var row in batch.SelectMany(waiter => waiter.Rows).Where(row => !stored.ContainsKey(row.RowKey)))
            {
                rows.TryAdd(row.RowKey, row);
            }

            try
            {
                bool conflicted = false;
                // Only a single caller can bring more than 100 rows (batches are cut below that): its chunks go in turn.
                foreach (var chunk in rows.Values.Chunk(TableMappingStore.MaxActionsPerTransaction))
                {
                    if (!await submitTransaction(chunk, batch[0].CancellationToken).ConfigureAwait(false))
                    {
                        conflicted = true;
                        break;
                    }

                    foreach (var row in chunk) stored[row.RowKey] = MappingEntity.ValueOf(row);
                }

                foreach (var waiter in batch)
                {
                    var mine = waiter.Rows.Where(row => stored.ContainsKey(row.RowKey))
                        .ToDictionary(row => row.RowKey, row => stored[row.RowKey], StringComparer.Ordinal);
                    waiter.Outcome.SetResult(new InsertOutcome(mine, conflicted && mine.Count < waiter.Rows.Count));
                }
            }
            catch (Exception exception)
            {
                foreach (var waiter in batch) waiter.Outcome.SetException(exception);
            }
        }
    }

    /// <summary>The next callers whose rows fit one transaction (at least one), or null when the partition is idle again.</summary>
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
            int rows = batch[0].Rows.Count;
            while (queue.TryPeek(out var next) && rows + next.Rows.Count <= TableMappingStore.MaxActionsPerTransaction)
            {
                rows += next.Rows.Count;
                batch.Add(queue.Dequeue());
            }

            return batch;
        }
    }

    /// <summary>One caller's rows; its token is the one the transaction carrying them first runs under.</summary>
    private sealed record Waiter(IReadOnlyCollection<TableEntity> Rows, CancellationToken CancellationToken)
    {
        public TaskCompletionSource<InsertOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
