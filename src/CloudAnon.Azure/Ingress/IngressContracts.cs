using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;

namespace CloudAnon.Azure.Ingress;

/// <summary>The three containers of the pipeline: identified input, de-identified output, and refused files.</summary>
public sealed record IngressContainers(BlobContainerClient Ingress, BlobContainerClient Egress, BlobContainerClient Quarantine);

/// <summary>Policy of an <see cref="IngressProcessor"/>.</summary>
public sealed record IngressProcessorOptions
{
    /// <summary>Delete the ingress blob once its egress (or quarantine) copy is committed; default keep.</summary>
    public bool DeleteIngressAfterSuccess { get; init; }

    /// <summary>
    /// Secret key (≥ 32 bytes) for the keyed hash of ingress blob names, which names quarantine copies and correlates log
    /// entries without revealing the name. Give every processor of a deployment the same key so a re-delivered file keeps
    /// its quarantine name; null gives each processor a random key.
    /// </summary>
    public byte[]? BlobNameHashKey { get; init; }

    /// <summary>A <see cref="BlobNameHashKey"/> derived from the mapping table's secret key, so the function and the CLI agree without a second secret.</summary>
    public static byte[] DeriveBlobNameHashKey(byte[] mappingKey) =>
        HMACSHA256.HashData(mappingKey, Encoding.UTF8.GetBytes("cloudanon/ingress-blob-names"));
}

public enum IngressOutcomeKind
{
    /// <summary>De-identified and committed to egress.</summary>
    Egress,

    /// <summary>Refused; the original bytes were copied to quarantine with a reason code.</summary>
    Quarantine,

    /// <summary>Processed before (marked, or its egress blob already exists): nothing written.</summary>
    AlreadyDone,

    /// <summary>Another processor settled the blob while this one worked on it (its version changed under us): nothing written.</summary>
    DoneByAnother,
}

/// <param name="Kind">Where the file went.</param>
/// <param name="EgressBlobName">The de-identified name in egress (Egress, and AlreadyDone when the egress blob was found).</param>
/// <param name="ReasonCode">The quarantine reason (see <see cref="QuarantineReasons"/>), or null.</param>
/// <param name="Bytes">Size of the ingress blob.</param>
/// <param name="Duration">Wall time of the processing.</param>
public sealed record IngressOutcome(IngressOutcomeKind Kind, string? EgressBlobName, string? ReasonCode, long Bytes, TimeSpan Duration);
