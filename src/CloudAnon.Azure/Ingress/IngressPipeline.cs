using Azure.Data.Tables;
using Azure.Security.KeyVault.Certificates;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.Core.Certificates;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// Where the certificate the originals are encrypted to comes from: a PEM, DER or PFX file, or Key Vault. The function's
/// settings, <c>cloudanon process</c> and <c>cloudanon -e -c</c> all open it through <see cref="IngressPipeline.OpenCertificates"/>.
/// </summary>
/// <param name="Path">A certificate file (local work); wins over the vault.</param>
/// <param name="VaultUri">The vault of <paramref name="CertificateName"/>.</param>
/// <param name="CertificateName">A Key Vault certificate, used in its latest version.</param>
/// <param name="PfxPassword">The password of a PFX <paramref name="Path"/>.</param>
public sealed record CertificateLocation(string? Path, Uri? VaultUri = null, string? CertificateName = null, string? PfxPassword = null);

/// <summary>What one deployment of the pipeline is, beside its containers: its table, mapping key, engine options and policy.</summary>
public sealed record IngressPipelineOptions
{
    public string MappingTable { get; init; } = "mappings";

    /// <summary>The deployment's secret (≥ 32 bytes): every key of the pipeline is derived from it, here and only here.</summary>
    public required byte[] MappingKey { get; init; }

    /// <summary>The engine's options; start from <see cref="IngressPipeline.DefaultDeidentification"/>.</summary>
    public DeidentificationOptions Deidentification { get; init; } = IngressPipeline.DefaultDeidentification;

    /// <summary>Delete the ingress blob once its egress (or quarantine) copy is committed; default: mark it.</summary>
    public bool DeleteIngressAfterSuccess { get; init; }

    /// <summary>Write each file's audit record to <see cref="AuditTable"/> in the settle step (default on).</summary>
    public bool RecordAudit { get; init; } = true;

    public string AuditTable { get; init; } = Audit.AuditTable.DefaultTableName;

    /// <summary>The container (in the account of egress) of the records too large for a table row.</summary>
    public string AuditContainer { get; init; } = Audit.AuditTable.DefaultContainerName;

    /// <summary>Stamp a study in the audit table's index at most once per this interval (zero: with every record); see <see cref="Audit.AuditTable"/>.</summary>
    public TimeSpan AuditStampInterval { get; init; } = Audit.AuditTable.DefaultStampInterval;
}

/// <summary>
/// The one composition root of the ingress pipeline. The function (<c>AddCloudAnon</c>) and <c>cloudanon process</c>
/// build their <see cref="IngressProcessor"/> here, so the same blob gets the same outcome from either: the keys are
/// derived from the mapping key once, the certificate source is chosen once, and both start from the same defaults.
/// </summary>
public sealed class IngressPipeline
{
    private IngressPipeline(IngressContainers containers, TableMappingStore mappingStore, AuditTable? audit, IngressProcessor processor)
    {
        Containers = containers;
        MappingStore = mappingStore;
        Audit = audit;
        Processor = processor;
    }

    /// <summary>
    /// The pipeline's engine defaults: files already de-identified are de-identified again (public and research
    /// collections still leak; their earlier originals travel inside the new envelope), and files whose Burned In
    /// Annotation is YES are refused before any work.
    /// </summary>
    public static DeidentificationOptions DefaultDeidentification { get; } = new()
    {
        AllowAlreadyDeidentified = true,
        RefuseBurnedInAnnotation = true,
    };

    public IngressContainers Containers { get; }

    public TableMappingStore MappingStore { get; }

    /// <summary>The audit table the processor records to; null when <see cref="IngressPipelineOptions.RecordAudit"/> is off.</summary>
    public AuditTable? Audit { get; }

    public IngressProcessor Processor { get; }

    /// <param name="certificates">From <see cref="OpenCertificates"/>; null only for irreversible de-identification.</param>
    /// <param name="alsoRecordTo">A second place for each audit record, written after the table (<c>cloudanon process --audit DIR</c>).</param>
    public static IngressPipeline Create(
        IngressPipelineOptions options, IngressContainers containers, TableServiceClient tables, ICertificateSource? certificates,
        ILogger<IngressProcessor> logger, IAuditSink? alsoRecordTo = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(tables);
        var store = new TableMappingStore(tables.GetTableClient(options.MappingTable), new TableMappingStoreOptions { HashKey = options.MappingKey });
        var audit = options.RecordAudit
            ? new AuditTable(tables.GetTableClient(options.AuditTable),
                containers.Egress.GetParentBlobServiceClient().GetBlobContainerClient(options.AuditContainer), options.MappingKey,
                stampInterval: options.AuditStampInterval)
            : null;
        IAuditSink? sink = (audit, alsoRecordTo) switch
        {
            (null, var other) => other,
            (var table, null) => table,
            var (table, other) => new AuditSinks([table, other]),
        };
        var deidentifier = new Deidentifier(
            options.Deidentification with { ReplacementKey = options.MappingKey, RecordAudit = sink is not null }, store, certificates);
        var processor = new IngressProcessor(containers, deidentifier, new IngressProcessorOptions
        {
            DeleteIngressAfterSuccess = options.DeleteIngressAfterSuccess,
            BlobNameHashKey = IngressProcessorOptions.DeriveBlobNameHashKey(options.MappingKey),
        }, logger, sink);
        return new IngressPipeline(containers, store, audit, processor);
    }

    /// <summary>The one choice of certificate source: the file when one is named, else the Key Vault certificate; null for neither.</summary>
    /// <param name="vaultClient">Makes the client for the location's vault (the caller's credential and transport).</param>
    public static ICertificateSource? OpenCertificates(
        CertificateLocation? location, Func<Uri, CertificateClient> vaultClient, TimeProvider? timeProvider = null,
        ILogger<KeyVaultCertificateSource>? logger = null) => location switch
        {
            { Path: { } path } => new PemCertificateSource(path, location.PfxPassword),
            { VaultUri: { } vault, CertificateName: { } name } => new KeyVaultCertificateSource(
                vaultClient(vault), new KeyVaultCertificateOptions { VaultUri = vault, CertificateName = name }, timeProvider, logger),
            _ => null,
        };
}
