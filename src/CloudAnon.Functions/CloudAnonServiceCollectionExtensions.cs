using Azure.Core;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions;

public static class CloudAnonServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything the function needs, from configuration: <see cref="CloudAnonSettings"/> (validated now:
    /// invalid settings throw <see cref="CloudAnonSettingsException"/> at startup), the storage clients and credential,
    /// the certificate source (Key Vault or file), the mapping key (Key Vault secret or setting), the
    /// <see cref="IngressPipeline"/> built by its one composition root, with its <see cref="IngressProcessor"/>, and the
    /// <see cref="QuietStudies"/> scan of its audit table.
    /// Clients are added with TryAdd, so a host (or a test) may register its own first.
    /// </summary>
    public static IServiceCollection AddCloudAnon(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = CloudAnonSettings.Load(configuration);
        services.AddSingleton(settings);
        services.AddMetrics();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IngressMetrics>();

        services.TryAddSingleton(_ => settings.Storage.CreateCredential());
        services.TryAddSingleton(sp => settings.Storage.Account.CreateBlobServiceClient(sp.GetRequiredService<TokenCredential>()));
        services.TryAddSingleton(sp => settings.Storage.Account.CreateTableServiceClient(
            sp.GetRequiredService<TokenCredential>(), TableMappingStore.CreateClientOptions()));
        if (settings.KeyVaultUri is { } vault)
        {
            services.TryAddSingleton(sp => new CertificateClient(vault, sp.GetRequiredService<TokenCredential>()));
            services.TryAddSingleton(sp => new SecretClient(vault, sp.GetRequiredService<TokenCredential>()));
        }

        if (settings.Certificate is { } certificate)
        {
            services.TryAddSingleton(sp => IngressPipeline.OpenCertificates(
                certificate, _ => sp.GetRequiredService<CertificateClient>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KeyVaultCertificateSource>>())!);
        }

        services.TryAddSingleton(sp => new MappingKey(settings.MappingKey
            // Read once, at first use; a DI factory cannot await.
            ?? MappingKeySecret.ReadAsync(sp.GetRequiredService<SecretClient>(), settings.MappingKeySecretName!).GetAwaiter().GetResult()));
        services.TryAddSingleton(sp => IngressPipeline.Create(
            new IngressPipelineOptions
            {
                MappingTable = settings.MappingTable,
                AuditTable = settings.AuditTable,
                AuditContainer = settings.AuditContainer,
                AuditStampInterval = settings.StudyStampInterval,
                MappingKey = sp.GetRequiredService<MappingKey>().Value,
                Deidentification = settings.Deidentification,
                DeleteIngressAfterSuccess = settings.DeleteIngressAfterSuccess,
            },
            sp.GetRequiredService<IngressContainers>(),
            sp.GetRequiredService<TableServiceClient>(),
            settings.Certificate is null ? null : sp.GetRequiredService<ICertificateSource>(),
            sp.GetRequiredService<ILogger<IngressProcessor>>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<IngressPipeline>().Processor);
        // Base64 messages: what a Functions queue trigger reads by default.
        services.TryAddSingleton(sp => new QuietStudies(
            sp.GetRequiredService<IngressPipeline>().Audit!,
            settings.Storage.Account.CreateQueueServiceClient(sp.GetRequiredService<TokenCredential>(),
                new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(settings.StudyCompleteQueue),
            settings.StudyQuietTime,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => IngressContainers.Open(
            sp.GetRequiredService<BlobServiceClient>(), settings.IngressContainer, settings.EgressContainer, settings.QuarantineContainer));
        services.TryAddSingleton(sp => new RetryBudget(sp.GetRequiredService<IngressContainers>()));
        return services;
    }

    /// <summary>The HMAC key of the mapping table (from the setting or the Key Vault secret), resolved once.</summary>
    private sealed record MappingKey(byte[] Value);
}
