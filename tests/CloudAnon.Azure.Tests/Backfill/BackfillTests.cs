using System.Security.Cryptography;
using Azure.Storage.Queues;
using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.Tests.Ingress;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Backfill;

/// <summary>
/// The backfill's saved position on Azurite. The backfill at scale (2,000 blobs, stopped and resumed, four hosts draining)
/// runs on the real trigger path: tests/CloudAnon.Functions.HostTests, BackfillScaleOutTests.
/// </summary>
public sealed class BackfillTests
{
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
}
