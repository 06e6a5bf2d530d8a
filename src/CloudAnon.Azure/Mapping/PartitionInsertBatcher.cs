using Azure.Data.Tables;
using CloudAnon.Azure.Storage;

namespace CloudAnon.Azure.Mapping;

/// <summary>What one caller's rows came to: the values stored for them, and whether a transaction met a row that exists.</summary>
/// <param name="Stored">Row key → stored value for every row of the caller that is now in the table.</param>
/// <param name="Conflicted">True when some rows were not stored because another writer holds them: read, then retry those.</param>
internal sealed record InsertOutcome(IReadOnlyDictionary<string, string> Stored, bool Conflicted);

/// <summary>
/// Group commit of new mapping rows per partition (<see cref="PartitionGroupCommit{TItem, TResult}"/>, up to the service's
/// 100 operations). A row offered twice goes once, with the first proposal: both callers get what was stored, as they
/// would from the table after a race.
/// </summary>
internal sealed class PartitionInsertBatcher
{
    /// <summary>
    /// How many stored rows a drain remembers to answer re-offered rows from. A busy partition's drain can last as long as
    /// files keep coming, so it forgets beyond this; a row re-offered after that meets itself in the table (409) and the
    /// caller reads it, as after any race.
    /// </summary>
    private const int StoredRowsKept = 10 * TableMappingStore.MaxActionsPerTransaction;

    private readonly Func<IReadOnlyList<TableEntity>, CancellationToken, Task<bool>> _submitTransaction;
    private readonly PartitionGroupCommit<IReadOnlyCollection<TableEntity>, InsertOutcome> _groups;

    public PartitionInsertBatcher(Func<IReadOnlyList<TableEntity>, CancellationToken, Task<bool>> submitTransaction)
    {
        _submitTransaction = submitTransaction;
        _groups = new(StartDrain, rows => rows.Count, TableMappingStore.MaxActionsPerTransaction);
    }

    /// <summary>Inserts <paramref name="rows"/> (all of one partition), alone or with other callers' rows.</summary>
    public Task<InsertOutcome> InsertAsync(string partitionKey, IReadOnlyCollection<TableEntity> rows, CancellationToken cancellationToken) =>
        _groups.CommitAsync(partitionKey, rows, cancellationToken);

    private Func<IReadOnlyList<IReadOnlyCollection<TableEntity>>, CancellationToken, Task<IReadOnlyList<InsertOutcome>>> StartDrain()
    {
        // What this drain stored: a row a later caller offers again (a new series of several files) is answered from it.
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        return (batch, cancellationToken) => InsertBatchAsync(batch, stored, cancellationToken);
    }

    private async Task<IReadOnlyList<InsertOutcome>> InsertBatchAsync(
        IReadOnlyList<IReadOnlyCollection<TableEntity>> batch, Dictionary<string, string> stored, CancellationToken cancellationToken)
    {
        if (stored.Count > StoredRowsKept) stored.Clear();
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var row in batch.SelectMany(callerRows => callerRows).Where(row => !stored.ContainsKey(row.RowKey)))
        {
            rows.TryAdd(row.RowKey, row);
        }

        bool conflicted = false;
        // Only a single caller can bring more than 100 rows (batches are cut below that): its chunks go in turn.
        foreach (var chunk in rows.Values.Chunk(TableMappingStore.MaxActionsPerTransaction))
        {
            if (!await _submitTransaction(chunk, cancellationToken).ConfigureAwait(false))
            {
                conflicted = true;
                break;
            }

            foreach (var row in chunk) stored[row.RowKey] = MappingEntity.ValueOf(row);
        }

        return [.. batch.Select(callerRows =>
        {
            var mine = callerRows.Where(row => stored.ContainsKey(row.RowKey))
                .ToDictionary(row => row.RowKey, row => stored[row.RowKey], StringComparer.Ordinal);
            return new InsertOutcome(mine, conflicted && mine.Count < callerRows.Count);
        })];
    }
}
