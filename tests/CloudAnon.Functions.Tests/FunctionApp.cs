using System.Security.Cryptography.X509Certificates;
using Azure.Storage.Blobs;
using CloudAnon.Azure.Ingress;
using CloudAnon.Dicom;
using CloudAnon.Functions.Testing;
using CloudAnon.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions.Tests;

/// <summary>
/// The function app as Program.cs builds it, minus the Functions host: configuration in local.settings form pointing at
/// Azurite (fresh containers and table), the real container from <see cref="CloudAnonServiceCollectionExtensions.AddCloudAnon"/>,
/// and the function class activated from it as the worker does.
/// </summary>
internal sealed class FunctionApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private FunctionApp(ServiceProvider services, IngressContainers containers, CapturingLogger<DeidentifyIngressBlob> log)
    {
        _services = services;
        Containers = containers;
        Log = log;
    }

    public IngressContainers Containers { get; }

    public IServiceProvider Services => _services;

    public CapturingLogger<DeidentifyIngressBlob> Log { get; }

    /// <summary>Settings as local.settings.sample.json has them, on Azurite, with a mapping key made now.</summary>
    public static async Task<Dictionary<string, string?>> DefaultSettingsAsync()
    {
        var settings = await AzuriteAppSettings.FreshAsync();
        settings[SettingNames.ContentCipher] = "aes256";
        settings[SettingNames.Irreversible] = "false";
        settings[SettingNames.AfterSuccess] = "keep";
        settings[SettingNames.QuarantineBurnedInAnnotation] = "true";
        return settings;
    }

    /// <summary>Builds the container from <paramref name="settings"/>; <paramref name="configureServices"/> runs first, so its registrations win.</summary>
    public static async Task<FunctionApp> StartAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var log = new CapturingLogger<DeidentifyIngressBlob>();
        var services = new ServiceCollection();
        services.AddSingleton<ILogger<DeidentifyIngressBlob>>(log);
        configureServices?.Invoke(services);
        services.AddCloudAnon(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // Infra (or the local setup) creates these; the function does not.
        var containers = provider.GetRequiredService<IngressContainers>();
        foreach (var container in new[] { containers.Ingress, containers.Egress, containers.Quarantine })
        {
            await container.CreateIfNotExistsAsync();
        }

        var azurite = await AzuriteFixture.EnsureStartedAsync();
        await azurite.CreateTableServiceClient().CreateTableIfNotExistsAsync(settings[SettingNames.MappingTable]!);
        await AzuriteAppSettings.CreateAuditStoresAsync(settings);
        return new FunctionApp(provider, containers, log);
    }

    /// <summary>Writes a PEM certificate (public part only, as operators deploy it) to a temporary file.</summary>
    public static string WritePemCertificate(X509Certificate2 certificate)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cloudanon-functions-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    public async Task UploadAsync(string blobName, string corpusFile)
    {
        await using var source = File.OpenRead(Corpus.Get(corpusFile).FullPath);
        await Containers.Ingress.GetBlobClient(blobName).UploadAsync(source);
    }

    /// <summary>One delivery of the blob trigger: the function class activated from the container, as the worker does.</summary>
    public Task InvokeAsync(string blobName)
    {
        var function = ActivatorUtilities.CreateInstance<DeidentifyIngressBlob>(_services);
        return function.RunAsync(Containers.Ingress.GetBlobClient(blobName), blobName, CancellationToken.None);
    }

    public static async Task<DicomFile> OpenAsync(BlobContainerClient container, string blobName)
    {
        var content = await container.GetBlobClient(blobName).DownloadContentAsync();
        return await DicomFile.OpenAsync(content.Value.Content.ToStream());
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
