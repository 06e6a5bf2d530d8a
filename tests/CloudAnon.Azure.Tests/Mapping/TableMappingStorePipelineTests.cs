using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Mapping;

/// <summary>Transport faults injected into the real SDK pipeline, in front of a real Azurite.</summary>
public sealed class TableMappingStoreFaultTests
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

    private static async Task<TableMappingStore> CreateStoreAsync(FailingAttemptsPolicy faults)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var table = await azurite.CreateTableAsync("faults");

        var options = TableMappingStore.CreateClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(1); // keep the test fast; the mode and count are the production ones
        options.AddPolicy(faults, HttpPipelinePosition.PerRetry);
        var faultyTable = new TableClient(azurite.ConnectionString, table.Name, options);
        return new TableMappingStore(faultyTable, new TableMappingStoreOptions { HashKey = RandomNumberGenerator.GetBytes(32) });
    }

    private static MappingRequest Request(string proposed) => new(MappingScope.Study, Original, MappingKind.Uid, Original, proposed);

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
