using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>
/// One deployment on Azurite: fresh ingress, egress and quarantine containers and a mapping table, with one mapping key
/// and certificate. <see cref="NewProcessor"/> gives an independent processor (its own store, cache and engine), as
/// another function instance would be.
/// </summary>
internal sealed class Pipeline
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() => TestCertificates.CreateRsa("CloudAnon pipeline test"));

    private Pipeline(AzuriteInstance azurite, IngressContainers containers, TableClient table)
    {
        Azurite = azurite;
        Containers = containers;
        Table = table;
    }

    public AzuriteInstance Azurite { get; }

    public IngressContainers Containers { get; }

    public TableClient Table { get; }

    public byte[] MappingKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <param name="blobOptions">Options of the three containers' clients (e.g. with a <see cref="RequestCounter"/>).</param>
    public static async Task<Pipeline> CreateAsync(BlobClientOptions? blobOptions = null)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var containers = new IngressContainers(
            await azurite.CreateBlobContainerAsync("ingress", blobOptions),
            await azurite.CreateBlobContainerAsync("egress", blobOptions),
            await azurite.CreateBlobContainerAsync("quarantine", blobOptions));
        return new Pipeline(azurite, containers, await azurite.CreateTableAsync("mapping"));
    }

    public (IngressProcessor Processor, TableMappingStore Store, CapturingLogger<IngressProcessor> Log) NewProcessor(
        IngressProcessorOptions? options = null, IngressContainers? containers = null, DeidentificationOptions? deidentification = null,
        IAuditSink? audit = null)
    {
        var store = new TableMappingStore(
            new TableClient(Azurite.ConnectionString, Table.Name, TableMappingStore.CreateClientOptions()),
            new TableMappingStoreOptions { HashKey = MappingKey });
        var engine = deidentification ?? new DeidentificationOptions { RefuseBurnedInAnnotation = true };
        // Recording as the pipeline does: the deployment's key, so a refused file's record joins its study's partition.
        if (audit is not null) engine = engine with { RecordAudit = true, ReplacementKey = MappingKey };
        var deidentifier = new Deidentifier(engine, store, new FixedCertificateSource(Certificate.Value));
        var log = new CapturingLogger<IngressProcessor>();
        var processor = new IngressProcessor(
            containers ?? Containers,
            deidentifier,
            (options ?? new IngressProcessorOptions()) with { BlobNameHashKey = IngressProcessorOptions.DeriveBlobNameHashKey(MappingKey) },
            log,
            audit);
        return (processor, store, log);
    }

    /// <summary>An audit table and container of this deployment (partitioned under its mapping key) on <paramref name="table"/>.</summary>
    public async Task<AuditTable> NewAuditAsync(TableClient? table = null, TimeProvider? time = null, TimeSpan stampInterval = default) => new(
        table ?? await Azurite.CreateTableAsync("audit"), await Azurite.CreateBlobContainerAsync("audit"), MappingKey, time, stampInterval);

    public async Task UploadAsync(string name, byte[] content, IDictionary<string, string>? metadata = null) =>
        await Containers.Ingress.GetBlobClient(name).UploadAsync(
            new BinaryData(content), new BlobUploadOptions { Metadata = metadata, Tags = metadata });

    public static async Task<List<BlobItem>> ListAsync(BlobContainerClient container)
    {
        var items = new List<BlobItem>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata | BlobTraits.Tags, BlobStates.None, prefix: null, cancellationToken: default))
        {
            items.Add(item);
        }

        return items;
    }

    public static async Task<byte[]> DownloadAsync(BlobContainerClient container, string name) =>
        (await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();

    /// <summary>Every entity of the table, raw: all properties as the service stores them.</summary>
    public async Task<List<TableEntity>> ReadAllRowsAsync()
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    private sealed class FixedCertificateSource(X509Certificate2 certificate) : ICertificateSource
    {
        public ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default) => new(certificate);
    }
}
