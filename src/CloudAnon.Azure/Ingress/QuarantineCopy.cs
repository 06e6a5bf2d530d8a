using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace CloudAnon.Azure.Ingress;

/// <summary>Copies a refused file's original bytes to quarantine, with its reason code as the only metadata.</summary>
internal static class QuarantineCopy
{
    /// <summary>
    /// Writes the snapshot's bytes under <paramref name="quarantine"/>'s name (a keyed hash of the ingress name and version),
    /// once: a re-delivery of the same version finds it there. A small file is copied from the snapshot's memory.
    /// </summary>
    public static async Task WriteAsync(BlockBlobClient quarantine, IngressSnapshot snapshot, string reason, CancellationToken cancellationToken)
    {
        var source = snapshot.OpenRead();
        await using (source.ConfigureAwait(false))
        {
            using var upload = new StagedBlockWriteStream(quarantine);
            await source.CopyToAsync(upload, cancellationToken).ConfigureAwait(false);
            try
            {
                await upload.CommitAsync(
                    new BlobHttpHeaders { ContentType = "application/octet-stream" },
                    new Dictionary<string, string> { [IngressMetadata.Reason] = reason },
                    new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412)
            {
                // The same version of the same blob was quarantined by an earlier delivery.
            }
        }
    }
}
