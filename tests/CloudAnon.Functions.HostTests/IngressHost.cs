using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Ingress;
using CloudAnon.Functions.TestHost;
using CloudAnon.Functions.Testing;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The published function app under <see cref="FunctionHost"/> on Azurite, with fresh containers and table (created as
/// infra creates them) and settings in local.settings form. The app is published once per test run.
/// </summary>
public sealed class IngressHost : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> PublishedApp = new(PublishOnceAsync);

    private IngressHost(FunctionHost host, IngressContainers containers, Dictionary<string, string?> settings)
    {
        Host = host;
        Containers = containers;
        Settings = settings;
    }

    public FunctionHost Host { get; }

    public IngressContainers Containers { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>
    /// local.settings.sample.json's settings (so a setting added there reaches the worker here too), on Azurite with fresh
    /// containers and table, a mapping key made now, reversible to a PEM certificate file made now.
    /// </summary>
    public static async Task<Dictionary<string, string?>> DefaultSettingsAsync()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        using var certificate = TestCertificates.CreateRsa("CloudAnon host test");
        var certificatePath = Path.Combine(Path.GetTempPath(), $"cloudanon-host-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Corpus.RepositoryRoot, "local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        foreach (var (name, value) in await AzuriteAppSettings.FreshAsync())
        {
            settings[name] = value;
        }

        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings[SettingNames.CertificatePath] = certificatePath;
        return settings;
    }

    /// <param name="hostJsonPath">The host.json to apply; null: the app's own.</param>
    /// <param name="quietStudyTimer">Also run the quiet-study timer (on the StudyScanSchedule setting), which the other tests leave out.</param>
    public static async Task<IngressHost> StartAsync(Dictionary<string, string?> settings, string? hostJsonPath = null, bool quietStudyTimer = false)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var blobs = azurite.CreateBlobServiceClient();
        var containers = new IngressContainers(
            blobs.GetBlobContainerClient(settings[SettingNames.IngressContainer]),
            blobs.GetBlobContainerClient(settings[SettingNames.EgressContainer]),
            blobs.GetBlobContainerClient(settings[SettingNames.QuarantineContainer]));
        foreach (var container in new[] { containers.Ingress, containers.Egress, containers.Quarantine })
        {
            await container.CreateIfNotExistsAsync();
        }

        await azurite.CreateTableServiceClient().CreateTableIfNotExistsAsync(settings[SettingNames.MappingTable]!);
        await BackfillQueue(settings).CreateIfNotExistsAsync();
        await AzuriteAppSettings.CreateAuditStoresAsync(settings);
        var host = await FunctionHost.StartAsync(new FunctionHostOptions
        {
            AppDirectory = await PublishedApp.Value,
            Settings = settings,
            HostJsonPath = hostJsonPath,
            FunctionTypes = quietStudyTimer ? [typeof(global::Host.Functions), typeof(global::Host.QuietStudyTimer)] : [typeof(global::Host.Functions)],
            ConfigureWebJobs = quietStudyTimer ? global::Host.QuietStudyTimer.AddTimers : null,
        });
        return new IngressHost(host, containers, settings);
    }

    /// <summary>The backfill queue of <paramref name="settings"/>, with the base64 messages the queue trigger expects.</summary>
    public static QueueClient BackfillQueue(IReadOnlyDictionary<string, string?> settings) =>
        new(settings[SettingNames.Storage], settings[SettingNames.BackfillQueue], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The queues extension's poison queue of the backfill queue of <paramref name="settings"/>.</summary>
    public static QueueClient BackfillPoisonQueue(IReadOnlyDictionary<string, string?> settings) =>
        new(settings[SettingNames.Storage], settings[SettingNames.BackfillQueue] + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>The invocations of the backfill's queue trigger the worker has finished, in order.</summary>
    public List<Functions.TestHost.Worker.InvocationRecord> BackfillInvocations =>
        [.. Host.Worker.Finished.Where(invocation => invocation.FunctionName == DeidentifyBackfillBlob.FunctionName)];

    /// <summary>`cloudanon backfill`'s engine on this app's ingress, backfill queue and mapping table.</summary>
    public async Task<BackfillEnqueuer> NewBackfillEnqueuerAsync()
    {
        var table = (await AzuriteFixture.EnsureStartedAsync()).CreateTableServiceClient().GetTableClient(Settings[SettingNames.MappingTable]);
        return new BackfillEnqueuer(Containers.Ingress, BackfillQueue(Settings), table, Convert.FromBase64String(Settings[SettingNames.MappingKey]!));
    }

    /// <summary>Uploads <paramref name="content"/> to ingress, as a PACS or a copy job would, without raising the event.</summary>
    public async Task<BlobClient> UploadAsync(string blobName, byte[] content)
    {
        var blob = Containers.Ingress.GetBlobClient(blobName);
        await blob.UploadAsync(new BinaryData(content), overwrite: true);
        return blob;
    }

    /// <summary>Uploads <paramref name="contents"/> under <paramref name="blobNames"/> (pairwise), eight at a time, without events.</summary>
    public Task UploadAllAsync(IReadOnlyList<string> blobNames, IReadOnlyList<byte[]> contents) =>
        Parallel.ForEachAsync(Enumerable.Range(0, blobNames.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await UploadAsync(blobNames[i], contents[i]));

    /// <summary>Uploads and posts the BlobCreated event Event Grid would send; the webhook must accept it (202).</summary>
    public async Task<BlobClient> UploadAndNotifyAsync(string blobName, byte[] content)
    {
        var blob = await UploadAsync(blobName, content);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, await Host.PostBlobCreatedAsync(blob));
        return blob;
    }

    /// <summary>
    /// Waits until every named ingress blob carries the processor's mark (committed to egress or quarantine). A few blobs
    /// are asked for one by one every 20 ms; more, by listing the container every 250 ms (Azurite shares the cores).
    /// </summary>
    public async Task WaitUntilProcessedAsync(IReadOnlyCollection<string> blobNames, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        var few = blobNames.Count <= 4;
        while (true)
        {
            var processed = few ? await ProcessedOneByOneAsync(blobNames) : await ProcessedByListingAsync();
            if (blobNames.All(processed.Contains))
            {
                return;
            }

            Assert.True(waited.Elapsed < timeout,
                $"{blobNames.Count(n => !processed.Contains(n))} of {blobNames.Count} blobs not processed after {timeout.TotalSeconds} s; host log tail:{Environment.NewLine}" +
                string.Join(Environment.NewLine, Host.Log.Everything.TakeLast(40)));
            await Task.Delay(few ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromMilliseconds(250));
        }
    }

    private async Task<HashSet<string>> ProcessedOneByOneAsync(IEnumerable<string> blobNames)
    {
        var processed = new HashSet<string>();
        foreach (var name in blobNames)
        {
            var properties = await Containers.Ingress.GetBlobClient(name).GetPropertiesAsync();
            if (properties.Value.Metadata.ContainsKey(IngressMetadata.Processed))
            {
                processed.Add(name);
            }
        }

        return processed;
    }

    private async Task<HashSet<string>> ProcessedByListingAsync() =>
        (await BlobListing.ListAsync(Containers.Ingress)).Where(b => b.Metadata.ContainsKey(IngressMetadata.Processed)).Select(b => b.Name).ToHashSet();

    /// <summary>Stops the host; with CLOUDANON_HOST_LOGS set, writes its log lines to a folder of that directory for inspection.</summary>
    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (Environment.GetEnvironmentVariable("CLOUDANON_HOST_LOGS") is { Length: > 0 } logs)
        {
            Host.Log.WriteTo(Path.Combine(logs, Host.HostId));
        }
    }

    private static async Task<string> PublishOnceAsync()
    {
        var configuration = typeof(IngressHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        var output = Path.Combine(Path.GetTempPath(), $"cloudanon-function-app-{Environment.ProcessId}");
        await FunctionAppPublish.PublishAsync(configuration, output);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(output, recursive: true);
        return output;
    }
}
