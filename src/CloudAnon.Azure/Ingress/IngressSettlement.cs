using Azure;
using Azure.Storage.Blobs.Models;

namespace CloudAnon.Azure.Ingress;

/// <summary>What happens to the ingress blob once its egress or quarantine copy is committed.</summary>
internal static class IngressSettlement
{
    /// <summary>
    /// Deletes the blob, or marks it processed (one Set Metadata: the snapshot already holds the uploader's metadata, which
    /// is kept). Both are conditional on the version that was read. Returns false when the blob changed or went meanwhile:
    /// another processor settled it, or a new upload replaced it and is left for its own delivery.
    /// </summary>
    public static async Task<bool> SettleAsync(IngressSnapshot snapshot, bool quarantined, bool delete, CancellationToken cancellationToken)
    {
        var conditions = new BlobRequestConditions { IfMatch = snapshot.ETag };
        try
        {
            if (delete)
            {
                await snapshot.Blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false);
                return true;
            }

            var metadata = new Dictionary<string, string>(snapshot.Metadata)
            {
                [IngressMetadata.Processed] = quarantined ? IngressMetadata.ProcessedQuarantine : IngressMetadata.ProcessedEgress,
            };
            await snapshot.Blob.SetMetadataAsync(metadata, conditions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            return false;
        }
    }
}
