using Azure.Core;
using Azure.Data.Tables;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Azure.Storage.Blobs;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.Core.Certificates;
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
    /// <see cref="TableMappingStore"/>, the <see cref="Deidentifier"/> and the <see cref="IngressProcessor"/>.
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
        services.TryAddSingleton(sp => settings.Storage.CreateBlobServiceClient(sp.GetRequiredService<TokenCredential>()));
        services.TryAddSingleton(sp => settings.Storage.CreateTableServiceClient(
            sp.GetRequiredService<TokenCredential>(), TableMappingStore.CreateClientOptions()));
        if (settings.KeyVaultUri is { } vault)
        {
            services.TryAddSingleton(sp => new CertificateClient(vault, sp.GetRequiredService<TokenCredential>()));
            services.TryAddSingleton(sp => new SecretClient(vault, sp.GetRequiredService<TokenCredential>()));
        }

        switch (settings.CertificateSource)
        {
            case CertificateSourceKind.KeyVault:
                services.TryAddSingleton<ICertificateSource>(sp => new KeyVaultCertificateSource(
                    sp.GetRequiredService<CertificateClient>(),
                    new KeyVaultCertificateOptions { VaultUri = settings.KeyVaultUri, CertificateName = settings.CertificateName! },
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<KeyVaultCertificateSource>>()));
                break;
            case CertificateSourceKind.File:
                services.TryAddSingleton<ICertificateSource>(_ => new PemCertificateSource(settings.CertificatePath!));
                break;
        }

        services.TryAddSingleton(sp => new MappingKey(settings.MappingKey
            // Read once, at first use; a DI factory cannot await.
            ?? MappingKeySecret.ReadAsync(sp.GetRequiredService<SecretClient>(), settings.MappingKeySecretName!).GetAwaiter().GetResult()));
        services.TryAddSingleton<IMappingStore>(sp => new TableMappingStore(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(settings.MappingTable),
            new TableMappingStoreOptions { HashKey = sp.GetRequiredService<MappingKey>().Value }));
        services.TryAddSingleton(sp => new Deidentifier(
            settings.Deidentification with { ReplacementKey = sp.GetRequiredService<MappingKey>().Value },
            sp.GetRequiredService<IMappingStore>(),
            settings.CertificateSource == CertificateSourceKind.None ? null : sp.GetRequiredService<ICertificateSource>()));

        services.TryAddSingleton(sp =>
        {
            var blobs = sp.GetRequiredService<BlobServiceClient>();
            return new IngressContainers(
                blobs.GetBlobContainerClient(settings.IngressContainer),
                blobs.GetBlobContainerClient(settings.EgressContainer),
                blobs.GetBlobContainerClient(settings.QuarantineContainer));
        });
        services.TryAddSingleton(sp => new IngressProcessor(
            sp.GetRequiredService<IngressContainers>(),
            sp.GetRequiredService<Deidentifier>(),
            new IngressProcessorOptions
            {
                DeleteIngressAfterSuccess = settings.DeleteIngressAfterSuccess,
                QuarantineBurnedInAnnotation = settings.QuarantineBurnedInAnnotation,
                BlobNameHashKey = IngressProcessorOptions.DeriveBlobNameHashKey(sp.GetRequiredService<MappingKey>().Value),
            },
            sp.GetRequiredService<ILogger<IngressProcessor>>()));
        services.TryAddSingleton(sp => new RetryBudget(sp.GetRequiredService<IngressContainers>()));
        return services;
    }

    /// <summary>The HMAC key of the mapping table (from the setting or the Key Vault secret), resolved once.</summary>
    private sealed record MappingKey(byte[] Value);
}
