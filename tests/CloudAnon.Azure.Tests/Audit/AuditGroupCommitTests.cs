using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CloudAnon.Azure.Audit;
using CloudAnon.Core.Audit;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Audit;

/// <summary>Concurrent records of one study share entity-group transactions, on Azurite through the real SDK pipeline.</summary>
public sealed class AuditGroupCommitTests
{
    private const int Writers = 16;
    private static readonly string SeriesUid = AuditTableTests.NewUid();

    [Fact]
    public async Task ConcurrentWritesOfAStudyShareATransactionAndEveryRowIsStored()
    {
        var (audit, table, gate) = await OpenAsync(failTransactions: false);
        string study = AuditTableTests.NewUid();

        var (sops, first, rest) = await WriteBehindAHeldWriteAsync(audit, gate, study);
        await Task.WhenAll(rest.Prepend(first));

        Assert.Equal(1 + 1 + 1, audit.TableRequests); // the first row alone, the other 15 in one transaction, one study stamp
        Assert.True(audit.TableRequests < Writers);
        var stored = (await audit.ReadStudyWithKeysAsync(study)).Select(record => record.Name).Order(StringComparer.Ordinal);
        Assert.Equal(sops.Order(StringComparer.Ordinal), stored);
        Assert.Equal(Writers, table.Query<TableEntity>(row => row.PartitionKey == audit.PartitionOf(study)).Count());
    }

    [Fact]
    public async Task AFailedTransactionFailsEveryWriterInItAndTheirRetriesStoreEveryRow()
    {
        var (audit, _, gate) = await OpenAsync(failTransactions: true);
        string study = AuditTableTests.NewUid();

        var (sops, first, rest) = await WriteBehindAHeldWriteAsync(audit, gate, study);
        await first;
        await Assert.ThrowsAnyAsync<Exception>(() => Task.WhenAll(rest));

        // Every waiter of the failed transaction failed with its one error, and none of their rows exists.
        Assert.All(rest, write => Assert.True(write.IsFaulted));
        Assert.Single(rest.Select(write => write.Exception!.InnerException).Distinct());
        Assert.Equal([sops[0]], (await audit.ReadStudyWithKeysAsync(study)).Select(record => record.Name));

        // Each settle step retries its write as before (one at a time here): every row is then stored.
        foreach (var sop in sops.Skip(1)) await audit.WriteAsync(Record(study, sop), null);
        Assert.Equal(sops.Order(StringComparer.Ordinal), (await audit.ReadStudyWithKeysAsync(study)).Select(record => record.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Writes <see cref="Writers"/> records of one study: the first one's row is held in flight until the others have
    /// queued behind it, so they go together in the next transaction.
    /// </summary>
    private static async Task<(List<string> Sops, Task First, List<Task> Others)> WriteBehindAHeldWriteAsync(AuditTable audit, HoldFirstRequest gate, string study)
    {
        var sops = Enumerable.Range(0, Writers).Select(_ => AuditTableTests.NewUid()).ToList();
        var first = audit.WriteAsync(Record(study, sops[0]), null);
        await gate.Entered;
        var rest = sops.Skip(1).Select(sop => audit.WriteAsync(Record(study, sop), null)).ToList();
        gate.Release();
        return (sops, first, rest);
    }

    private static AuditRecord Record(string study, string sop) => AuditTableTests.Deidentified(study, SeriesUid, sop, attributes: 2);

    private static async Task<(AuditTable Audit, TableClient Table, HoldFirstRequest Gate)> OpenAsync(bool failTransactions)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var table = await azurite.CreateTableAsync("audit");
        var blobs = await azurite.CreateBlobContainerAsync("audit");
        var gate = new HoldFirstRequest(failTransactions);
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0; // an injected fault reaches the writers at once
        options.AddPolicy(gate, HttpPipelinePosition.PerRetry);
        var gated = new TableClient(azurite.ConnectionString, table.Name, options);
        return (new AuditTable(gated, blobs, RandomNumberGenerator.GetBytes(32), stampInterval: TimeSpan.FromMinutes(1)), table, gate);
    }

    /// <summary>Holds the first request until released; optionally fails every entity-group transaction with a transport error.</summary>
    private sealed class HoldFirstRequest(bool failTransactions) : HttpPipelinePolicy
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _requests;

        public Task Entered => _entered.Task;

        public void Release() => _open.TrySetResult();

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
            throw new NotSupportedException("the audit table calls the table asynchronously");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Interlocked.Increment(ref _requests) == 1)
            {
                _entered.TrySetResult();
                await _open.Task.ConfigureAwait(false);
            }

            if (failTransactions && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                throw new IOException("Injected transport fault.");
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }
}
