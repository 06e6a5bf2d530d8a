using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Core;
using CloudAnon.Dicom;

namespace CloudAnon.Azure.Ingress;

/// <summary>Names and writes the de-identified file in egress: once per instance, never replaced.</summary>
internal static class EgressUpload
{
    /// <summary>The instance path of the de-identified UIDs (<see cref="DicomUid.TryGetInstancePath"/>); anything but UIDs is refused rather than used as a name.</summary>
    public static string BlobName(DeidentificationResult result) =>
        DicomUid.TryGetInstancePath(result.StudyInstanceUid, result.SeriesInstanceUid, result.SopInstanceUid, out var name)
            ? name
            : throw new InvalidOperationException("The engine returned a UID that is not a UID; nothing was written.");

    /// <summary>
    /// Writes the file (one Put Blob up to 4 MiB, staged blocks above) if no egress blob of that name exists yet
    /// (If-None-Match: *). Returns false when another delivery of the same file committed first; there is no existence
    /// check beforehand: the condition is the check, and it costs no request in the usual case.
    /// </summary>
    public static async Task<bool> WriteOnceAsync(BlockBlobClient egress, DicomFile file, CancellationToken cancellationToken)
    {
        using var upload = new StagedBlockWriteStream(egress);
        await file.SaveAsync(upload, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await upload.CommitIfAbsentAsync(new BlobHttpHeaders { ContentType = IngressProcessor.DicomContentType }, cancellationToken).ConfigureAwait(false);
    }
}
