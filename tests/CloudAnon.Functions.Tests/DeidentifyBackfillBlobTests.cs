using Azure.Storage.Queues;
using CloudAnon.Azure.Ingress;
using CloudAnon.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CloudAnon.Functions.Tests;

/// <summary>The backfill queue trigger's body, activated from AddCloudAnon's container, on a message taken from a real queue.</summary>
public sealed class DeidentifyBackfillBlobTests
{
    [Fact]
    public async Task AMessageNamingABlobProcessesItOnceAndAFailureIsRethrownForTheHostsRetries()
    {
        var settings = await FunctionApp.DefaultSettingsAsync();
        settings[SettingNames.Irreversible] = "true";
        await using var app = await FunctionApp.StartAsync(settings);
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var queue = new QueueClient(azurite.ConnectionString, settings[SettingNames.BackfillQueue], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        await app.UploadAsync("old/scan.dcm", "modality/CT/CT_small_GE.dcm");
        await queue.SendMessageAsync("old/scan.dcm");
        await queue.SendMessageAsync("old/scan.dcm");
        var function = ActivatorUtilities.CreateInstance<DeidentifyBackfillBlob>(app.Services);

        foreach (var message in (await queue.ReceiveMessagesAsync(2)).Value)
        {
            await function.RunAsync(message.MessageText, CancellationToken.None);
        }

        Assert.Single(await BlobListing.ListAsync(app.Containers.Egress));
        Assert.Equal(IngressMetadata.ProcessedEgress, Assert.Single(await BlobListing.ListAsync(app.Containers.Ingress)).Metadata[IngressMetadata.Processed]);

        // The environment fails (its outputs are gone): the host must see the exception.
        await app.Containers.Egress.DeleteAsync();
        await app.Containers.Quarantine.DeleteAsync();
        await app.UploadAsync("old/second.dcm", "modality/MR/emri_small_enhanced_mr.dcm");
        await Assert.ThrowsAnyAsync<Exception>(() => function.RunAsync("old/second.dcm", CancellationToken.None));
    }
}
