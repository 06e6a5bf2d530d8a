using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;

namespace CloudAnon.Azure.Mapping;

/// <summary>
/// An <see cref="IMappingStore"/> on Azure Table Storage, shared by every processor of a deployment. Rows are partitioned
/// by study (or by patient for patient-scoped values) under keyed hashes; a process-local cache answers known originals
/// without a round trip. A cache miss costs one query per partition, new rows one entity-group transaction per partition
/// (per 100 rows, shared by the files in flight at once), and a lost insert race one more query: the stored winner is
/// always what every caller gets.
/// See docs/mapping-store.md for the round trips and docs/measurements.md for the figures.
/// </summary>
public sealed class TableMappingStore : IMappingStore
{
    public const string MeterName = "CloudAnon.Mapping";

    /// <summary>Counter of table requests issued by all stores, tagged <c>operation</c> = query or transaction.</summary>
    public const string RoundTripsInstrumentName = "cloudanon.mapping.roundtrips";

    /// <summary>Azure Tables accepts at most 15 comparisons per filter; one of them selects the partition.</summary>
    internal const int MaxRowKeysPerFilter = 14;

    /// <summary>The service's limit of operations in one entity-group transaction.</summary>
    internal const int MaxActionsPerTransaction = 100;

    /// <summary>Entities per query page: the service's maximum.</summary>
    private const int PageSize = 1000;

    /// <summary>Each conflict means another writer stored some of our rows, which the next read picks up, so rounds converge fast.</summary>
    private const int MaxConflictRounds = 5;

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> RoundTripCounter = Meter.CreateCounter<long>(
        RoundTripsInstrumentName, unit: "{request}", description: "Azure Table Storage requests made by mapping stores.");

    private readonly TableClient _table;
    private readonly MappingKeyHasher _hasher;
    private readonly int _maxCacheEntries;
    private readonly ConcurrentDictionary<EntityKey, string> _cache = new();
    private readonly PartitionInsertBatcher _inserts;
    private int _cacheEntries;
    private long _roundTrips;

    /// <summary>Creates a store on an existing table; see <see cref="MappingTable.CreateIfNotExistsAsync"/> to create it.</summary>
    public TableMappingStore(TableClient table, TableMappingStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.HashKey, nameof(options));
        if (options.HashKey.Length < TableMappingStoreOptions.MinHashKeyBytes)
        {
            throw new ArgumentException(
                $"The mapping hash key must hold at least {TableMappingStoreOptions.MinHashKeyBytes} bytes.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxCacheEntries, nameof(options));

        _table = table;
        _hasher = new MappingKeyHasher(options.HashKey);
        _maxCacheEntries = options.MaxCacheEntries == 0 ? TableMappingStoreOptions.DefaultMaxCacheEntries : options.MaxCacheEntries;
        _inserts = new PartitionInsertBatcher(SubmitTransactionAsync);
    }

    /// <summary>Table requests made by this instance (query pages and transactions, not counting the SDK's own retries).</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>
    /// Client options for the mapping table: exponential retries of transient faults (408, 429, 500, 502, 503, 504, timeouts
    /// and connection failures), 5 retries from 0.2 s doubling up to 10 s (about 6 s of waiting in all), 30 s per attempt.
    /// </summary>
    public static TableClientOptions CreateClientOptions()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    public async ValueTask<IReadOnlyList<string>> GetOrAddAsync(
        IReadOnlyList<MappingRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);

        var keys = new EntityKey[requests.Count];
        var results = new string?[requests.Count];
        var partitions = new Dictionary<string, PartitionBatch>(StringComparer.Ordinal);
        var createdAt = DateTimeOffset.UtcNow;
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            ArgumentNullException.ThrowIfNull(request.ScopeKey, nameof(requests));
            ArgumentNullException.ThrowIfNull(request.Original, nameof(requests));
            ArgumentNullException.ThrowIfNull(request.Proposed, nameof(requests));

            var key = keys[i] = _hasher.Hash(request);
            if (!partitions.TryGetValue(key.PartitionKey, out var partition))
            {
                partitions.Add(key.PartitionKey, partition = new PartitionBatch(key.PartitionKey));
            }

            if (_cache.TryGetValue(key, out var cached))
            {
                results[i] = cached;
                partition.HadCacheHit = true;
            }
            else
            {
                // The first proposal for an original repeated within the batch is the one offered to the table.
                partition.Missing.TryAdd(key.RowKey, MappingEntity.Create(key, request.Proposed, request.Kind.ToString(), createdAt));
            }
        }

        var unresolved = partitions.Values.Where(p => p.Missing.Count > 0).ToList();
        if (unresolved.Count > 0)
        {
            await ResolveAsync(unresolved, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < results.Length; i++)
            {
                results[i] ??= partitions[keys[i].PartitionKey].Resolved[keys[i].RowKey];
            }
        }

        return results!;
    }

    private async Task ResolveAsync(List<PartitionBatch> partitions, CancellationToken cancellationToken)
    {
        try
        {
            // Partitions are independent (no transaction may span two), so their round trips overlap.
            await Task.WhenAll(partitions.Select(p => ResolvePartitionAsync(p, cancellationToken))).ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            throw new MappingStoreException(
                $"Table Storage request failed with status {exception.Status} ({exception.ErrorCode ?? "no error code"}) " +
                $"while resolving {partitions.Sum(p => p.Missing.Count)} mappings in {partitions.Count} partitions.",
                exception.Status, exception);
        }
        catch (Exception exception) when (IngressFailure.RetriesExhausted(exception) is not null)
        {
            throw new MappingStoreException(
                $"Table Storage could not be reached after retries while resolving {partitions.Sum(p => p.Missing.Count)} mappings " +
                $"in {partitions.Count} partitions.", innerException: exception);
        }
    }

    private async Task ResolvePartitionAsync(PartitionBatch partition, CancellationToken cancellationToken)
    {
        // A partition this process already holds rows of is a study it knows: a miss there is most likely an original first
        // seen in this file (a new SOP Instance UID), so insert right away and read only on conflict. A partition it has never
        // seen may hold rows written by other processors, so read first.
        var readFirst = !partition.HadCacheHit;
        for (var round = 0; round < MaxConflictRounds; round++)
        {
            if (readFirst)
            {
                await ReadAsync(partition, cancellationToken).ConfigureAwait(false);
                if (partition.Missing.Count == 0)
                {
                    return;
                }
            }

            if (await TryInsertAsync(partition, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            readFirst = true;
        }

        throw new MappingStoreException(
            $"Mapping inserts still conflicted with concurrent writers after {MaxConflictRounds} rounds " +
            $"({partition.Missing.Count} mappings unresolved).", status: 409);
    }

    /// <summary>
    /// One query per partition: the missing row keys by name when they fit in one filter, else the whole partition (a study
    /// holds a few thousand rows at most, one page per 1,000), which also warms the cache for the study's next files.
    /// </summary>
    // The SDK makes each row with Activator.CreateInstance<TableEntity>(); without this the Native AOT trimmer drops that
    // constructor and every query that returns a row fails with MissingMethodException.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    private async Task ReadAsync(PartitionBatch partition, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition.PartitionKey}");
        if (partition.Missing.Count <= MaxRowKeysPerFilter)
        {
            var rowKeys = partition.Missing.Keys.Select(rowKey => TableClient.CreateQueryFilter($"RowKey eq {rowKey}"));
            filter += " and (" + string.Join(" or ", rowKeys) + ")";
        }

        var pages = _table.QueryAsync<TableEntity>(filter, PageSize, MappingEntity.SelectedProperties, cancellationToken).AsPages();
        await foreach (var page in pages.ConfigureAwait(false))
        {
            CountRoundTrip("query");
            foreach (var entity in page.Values)
            {
                var value = MappingEntity.ValueOf(entity);
                Remember(new EntityKey(partition.PartitionKey, entity.RowKey), value);
                if (partition.Missing.Remove(entity.RowKey))
                {
                    partition.Resolved[entity.RowKey] = value;
                }
            }
        }
    }

    /// <summary>
    /// Inserts the missing rows, together with those of concurrent callers in the same partition (see
    /// <see cref="PartitionInsertBatcher"/>). Returns false when a row already exists (another processor won the race):
    /// the failed transaction stored nothing, and rows stored before it stay resolved.
    /// </summary>
    private async Task<bool> TryInsertAsync(PartitionBatch partition, CancellationToken cancellationToken)
    {
        var outcome = await _inserts.InsertAsync(partition.PartitionKey, partition.Missing.Values, cancellationToken).ConfigureAwait(false);
        foreach (var (rowKey, value) in outcome.Stored)
        {
            partition.Missing.Remove(rowKey);
            partition.Resolved[rowKey] = value;
            Remember(new EntityKey(partition.PartitionKey, rowKey), value);
        }

        return !outcome.Conflicted;
    }

    /// <summary>One entity-group transaction; false when one of its rows already exists (then nothing was stored).</summary>
    private async Task<bool> SubmitTransactionAsync(IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        CountRoundTrip("transaction");
        try
        {
            await _table.SubmitTransactionAsync(
                rows.Select(entity => new TableTransactionAction(TableTransactionActionType.Add, entity)),
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == TableErrorCode.EntityAlreadyExists)
        {
            return false;
        }
    }

    /// <summary>Caches a stored value. A full cache starts over: a study's rows come back with its next query.</summary>
    private void Remember(EntityKey key, string value)
    {
        if (Volatile.Read(ref _cacheEntries) >= _maxCacheEntries)
        {
            _cache.Clear();
            Volatile.Write(ref _cacheEntries, 0);
        }

        if (_cache.TryAdd(key, value))
        {
            Interlocked.Increment(ref _cacheEntries);
        }
    }

    private void CountRoundTrip(string operation)
    {
        Interlocked.Increment(ref _roundTrips);
        RoundTripCounter.Add(1, new KeyValuePair<string, object?>("operation", operation));
    }

    /// <summary>The cache misses of one batch in one partition, and what the table answered for them.</summary>
    private sealed class PartitionBatch(string partitionKey)
    {
        public string PartitionKey { get; } = partitionKey;

        public bool HadCacheHit { get; set; }

        public Dictionary<string, TableEntity> Missing { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Resolved { get; } = new(StringComparer.Ordinal);
    }
}
