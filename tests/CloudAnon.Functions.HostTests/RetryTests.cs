using Azure.Storage.Queues;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>A blob whose processing keeps failing (the mapping table unreachable, blob storage fine) goes through the host's retries: the blob trigger's, and the backfill queue trigger's.</summary>
public sealed class RetryTests
{
    /// <summary>The blob extension's poison queue (in the host's AzureWebJobsStorage account).</summary>
    private const string PoisonQueue = "webjobs-blobtrigger-poison";

    [Fact]
    public async Task MappingTableUnreachable_IsRetriedByTheHost_ThenQuarantinedAsRetriesExhausted_AndNeverPoisoned()
    {
        var settings = await SettingsWithTheTableUnreachableAsync();
        await using var app = await IngressHost.StartAsync(settings);
        var blobName = $"{PlantedPhi.Prefix}-SMITH^JOHN-{Guid.NewGuid():N}/ct.dcm";

        await app.UploadAndNotifyAsync(blobName, (await TestFiles.DistinctInstancesAsync("modality/CT/CT_small_GE.dcm", 1))[0]);
        await app.WaitUntilProcessedAsync([blobName], TimeSpan.FromSeconds(180));

        var quarantined = Assert.Single(await BlobListing.ListAsync(app.Containers.Quarantine));
        Assert.Equal(QuarantineReasons.RetriesExhausted, quarantined.Metadata[IngressMetadata.Reason]);
        Assert.Empty(await BlobListing.ListAsync(app.Containers.Egress));
        // The host delivered it as often as host.json allows and the function's retry budget counts: failures, then the quarantining success.
        Assert.Equal(RetryBudget.MaxDeliveries, app.Host.HostJson.PoisonBlobThreshold);
        Assert.Equal(
            Enumerable.Repeat(false, RetryBudget.MaxDeliveries - 1).Append(true),
            app.Host.Worker.Finished.Select(invocation => invocation.Succeeded));
        Assert.DoesNotContain(await PoisonMessagesAsync(settings["AzureWebJobsStorage"]!), message => message.Contains(app.Containers.Ingress.Name, StringComparison.Ordinal));
        PhiLogSearch.AssertShippedLinesHoldNoMarker(app.Host.Log);
    }

    [Fact]
    public async Task BackfillMessage_ThatKeepsFailing_IsRetriedByTheQueueExtension_ThenPoisoned_AndTheBlobLeftForTheNextBackfill()
    {
        var settings = await SettingsWithTheTableUnreachableAsync();
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        using var hostJson = new FastPollingHostJson(visibilityTimeout: TimeSpan.Zero); // retried at once, not after 30 s
        await using var app = await IngressHost.StartAsync(settings, hostJson.Path);
        var blobName = $"{PlantedPhi.Prefix}-SMITH^JOHN-{Guid.NewGuid():N}/ct.dcm";
        await app.UploadAsync(blobName, (await TestFiles.DistinctInstancesAsync("modality/CT/CT_small_GE.dcm", 1))[0]);

        await IngressHost.BackfillQueue(settings).SendMessageAsync(blobName);
        var poison = IngressHost.BackfillPoisonQueue(settings);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await poison.ExistsAsync() || (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(180), $"no poison message after {app.Host.Worker.Finished.Count} deliveries");
            await Task.Delay(250);
        }

        Assert.Equal(blobName, Assert.Single((await poison.PeekMessagesAsync(32)).Value).MessageText);
        var maxDequeueCount = int.Parse(app.Host.HostJson.Queues["maxDequeueCount"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Repeat(false, maxDequeueCount), app.Host.Worker.Finished.Select(invocation => invocation.Succeeded));
        Assert.DoesNotContain(IngressMetadata.Processed, (await app.Containers.Ingress.GetBlobClient(blobName).GetPropertiesAsync()).Value.Metadata.Keys);
        Assert.Empty(await BlobListing.ListAsync(app.Containers.Egress));
        Assert.Empty(await BlobListing.ListAsync(app.Containers.Quarantine));
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

    /// <summary>The default settings with the data account's table endpoint refusing connections; its blob and queue endpoints are Azurite's.</summary>
    private static async Task<Dictionary<string, string?>> SettingsWithTheTableUnreachableAsync()
    {
        var settings = await IngressHost.DefaultSettingsAsync();
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        settings[SettingNames.Storage] = azurite.ConnectionString.Replace(azurite.TableEndpoint.ToString(), $"http://127.0.0.1:{LoopbackPorts.Free(1)[0]}/{AzuriteInstance.AccountName}", StringComparison.Ordinal);
        return settings;
    }
}
