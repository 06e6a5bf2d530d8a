using System.Net;
using System.Net.Sockets;
using Azure.Storage.Queues;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>A blob whose processing keeps failing (the mapping table unreachable, blob storage fine) goes through the host's retries.</summary>
public sealed class RetryTests
{
    /// <summary>The blob extension's poison queue (in the host's AzureWebJobsStorage account).</summary>
    private const string PoisonQueue = "webjobs-blobtrigger-poison";

    [Fact]
    public async Task MappingTableUnreachable_IsRetriedByTheHost_ThenQuarantinedAsRetriesExhausted_AndNeverPoisoned()
    {
        var settings = await IngressHost.DefaultSettingsAsync();
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        // The data account's table endpoint refuses connections; its blob endpoint is Azurite's.
        settings[SettingNames.Storage] = azurite.ConnectionString.Replace(azurite.TableEndpoint.ToString(), $"http://127.0.0.1:{ClosedPort()}/{AzuriteInstance.AccountName}", StringComparison.Ordinal);
        await using var app = await IngressHost.StartAsync(settings);
        var blobName = $"{PlantedPhi.Prefix}-SMITH^JOHN-{Guid.NewGuid():N}/ct.dcm";

        await app.UploadAndNotifyAsync(blobName, (await TestFiles.DistinctInstancesAsync("modality/CT/CT_small_GE.dcm", 1))[0]);
        await app.WaitUntilProcessedAsync([blobName], TimeSpan.FromSeconds(180));

        var quarantined = Assert.Single(await BlobListing.ListAsync(app.Containers.Quarantine));
        Assert.Equal(FailureReasons.RetriesExhausted, quarantined.Metadata[IngressMetadata.Reason]);
        Assert.Empty(await BlobListing.ListAsync(app.Containers.Egress));
        // The host delivered it as often as host.json allows and the function's retry budget counts: failures, then the quarantining success.
        Assert.Equal(RetryBudget.MaxDeliveries, app.Host.HostJson.PoisonBlobThreshold);
        Assert.Equal(
            Enumerable.Repeat(false, RetryBudget.MaxDeliveries - 1).Append(true),
            app.Host.Worker.Finished.Select(invocation => invocation.Succeeded));
        Assert.DoesNotContain(await PoisonMessagesAsync(settings["AzureWebJobsStorage"]!), message => message.Contains(app.Containers.Ingress.Name, StringComparison.Ordinal));
        PhiLogSearch.AssertShippedLinesHoldNoMarker(app.Host.Log);
    }

    private static async Task<List<string>> PoisonMessagesAsync(string connectionString)
    {
        var queue = new QueueClient(connectionString, PoisonQueue);
        if (!await queue.ExistsAsync())
        {
            return [];
        }

        return [.. (await queue.PeekMessagesAsync(32)).Value.Select(message => message.Body.ToString())];
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
