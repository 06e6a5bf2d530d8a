using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Mapping;

/// <summary>Requests observed and faults injected in the real SDK pipeline, in front of a real Azurite.</summary>
public sealed partial class TableMappingStorePipelineTests
{
    private const string Original = "PHIMARKER-FAULT-ORIGINAL";

    [Fact]
    public async Task TransientFaultsAreRetriedByTheClientPolicy()
    {
        var faults = new FailingAttemptsPolicy(failures: 2);
        var store = await CreateStoreAsync(faults);

        var values = await store.GetOrAddAsync([Request("2.25.5")]);

        Assert.Equal(["2.25.5"], values);
        Assert.Equal(2, store.RoundTrips); // the store's query and transaction; the SDK retried underneath
        Assert.Equal(2 + 2, faults.Attempts);
    }

    [Fact]
    public async Task FaultsOutlastingTheRetriesThrowMappingStoreExceptionWithoutPhi()
    {
        var faults = new FailingAttemptsPolicy(failures: int.MaxValue);
        var store = await CreateStoreAsync(faults);

        var exception = await Assert.ThrowsAsync<MappingStoreException>(async () => await store.GetOrAddAsync([Request("2.25.6")]));

        Assert.Equal(0, exception.Status);
        Assert.DoesNotContain(Original, exception.Message, StringComparison.Ordinal);
        Assert.Equal(1 + TableMappingStore.CreateClientOptions().Retry.MaxRetries, faults.Attempts);
    }

    [Fact]
    public async Task EveryTransactionStaysInOnePartition()
    {
        // Azurite accepts a transaction spanning partitions and Azure rejects it, so the requests themselves are checked.
        var batches = new BatchRecordingPolicy();
        var store = await CreateStoreAsync(batches);
        const string patient = "PATIENT-7";
        var requests = new List<MappingRequest>();
        foreach (var study in new[] { "1.2.3.1", "1.2.3.2" })
        {
            requests.AddRange(Enumerable.Range(0, 120).Select(i => new MappingRequest(MappingScope.Study, study, MappingKind.Uid, $"{study}.{i}", $"2.25.{i}")));
            requests.Add(new(MappingScope.Patient, patient, MappingKind.DateOffset, patient, "-42"));
        }

        var values = await store.GetOrAddAsync(requests);

        Assert.Equal(requests.Select(r => r.Proposed), values);
        Assert.Equal(2 * 2 + 1, batches.PartitionKeysPerBatch.Count); // 120 rows → 100 + 20 per study, 1 patient row
        Assert.All(batches.PartitionKeysPerBatch, keys => Assert.Single(keys));
        Assert.Equal(3, batches.PartitionKeysPerBatch.SelectMany(keys => keys).Distinct().Count());
    }

    [Fact]
    public async Task ConcurrentFilesOfAKnownStudyShareTheirInsertTransactions()
    {
        var gate = new FirstBatchGate();
        var store = await CreateStoreAsync(gate);
        string study = TableMappingStoreTests.NewUid(), series = TableMappingStoreTests.NewUid(), sharedNewUid = TableMappingStoreTests.NewUid();
        MappingRequest Uid(string original) => new(MappingScope.Study, study, MappingKind.Uid, original, TableMappingStoreTests.NewUid());
        await store.GetOrAddAsync([Uid(study), Uid(series)]);
        long before = store.RoundTrips;
        gate.Arm();

        // 20 files in flight at once, each with its own new instance UID and all with one new UID they share (offered with
        // different proposals). The first file's transaction is held until all have asked: the next one carries the rest.
        var files = Enumerable.Range(0, 20).Select(_ => new[] { Uid(study), Uid(series), Uid(TableMappingStoreTests.NewUid()), Uid(sharedNewUid) }).ToArray();
        var pending = files.Select(file => store.GetOrAddAsync(file).AsTask()).ToList();
        gate.Release();
        var results = await Task.WhenAll(pending);

        Assert.Equal(2, store.RoundTrips - before);
        Assert.Single(results.Select(result => result[3]).Distinct());
        Assert.All(files.Zip(results), pair => Assert.Equal(pair.First[2].Proposed, pair.Second[2])); // new rows: stored as proposed
    }

    private static async Task<TableMappingStore> CreateStoreAsync(HttpPipelinePolicy policy)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var table = await azurite.CreateTableAsync("faults");

        var options = TableMappingStore.CreateClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(1); // keep the test fast; the mode and count are the production ones
        options.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        var faultyTable = new TableClient(azurite.ConnectionString, table.Name, options);
        return new TableMappingStore(faultyTable, new TableMappingStoreOptions { HashKey = RandomNumberGenerator.GetBytes(32) });
    }

    private static MappingRequest Request(string proposed) => new(MappingScope.Study, Original, MappingKind.Uid, Original, proposed);

    /// <summary>Records the distinct partition keys of each entity-group transaction sent.</summary>
    private sealed partial class BatchRecordingPolicy : HttpPipelinePolicy
    {
        public List<string[]> PartitionKeysPerBatch { get; } = [];

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message)
        {
            if (!message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) || message.Request.Content is null)
            {
                return;
            }

            using var body = new MemoryStream();
            message.Request.Content.WriteTo(body, CancellationToken.None);
            var keys = PartitionKey().Matches(Encoding.UTF8.GetString(body.ToArray())).Select(m => m.Groups[1].Value).Distinct().ToArray();
            lock (PartitionKeysPerBatch)
            {
                PartitionKeysPerBatch.Add(keys);
            }
        }

        [GeneratedRegex("\"PartitionKey\":\"([^\"]+)\"")]
        private static partial Regex PartitionKey();
    }

    /// <summary>Once armed, holds the next entity-group transaction until released.</summary>
    private sealed class FirstBatchGate : HttpPipelinePolicy
    {
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public void Arm()
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _armed, 1);
        }

        public void Release() => _open.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("the store calls the table asynchronously");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Exchange(ref _armed, 0) == 1)
            {
                await _open.Task.ConfigureAwait(false);
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    /// <summary>Fails the first <c>failures</c> attempts with a transport error, as a dropped connection would.</summary>
    private sealed class FailingAttemptsPolicy(int failures) : HttpPipelinePolicy
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            FailIfDue();
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            FailIfDue();
            return ProcessNextAsync(message, pipeline);
        }

        private void FailIfDue()
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
            {
                throw new IOException("Injected transport fault.");
            }
        }
    }
}
