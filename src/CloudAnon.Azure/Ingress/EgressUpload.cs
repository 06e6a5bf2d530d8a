using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Core;
using CloudAnon.Dicom;

namespace CloudAnon.Azure.Ingress;

/// <summary>Names and writes the de-identified file in egress: once per instance, never replaced.</summary>
internal static class EgressUpload
{
    /// <summary><c>{Study}/{Series}/{SOP Instance}.dcm</c> from de-identified UIDs only; anything but a plain UID is refused rather than used as a path.</summary>
    public static string BlobName(DeidentificationResult result)
    {
        foreach (var uid in new[] { result.StudyInstanceUid, result.SeriesInstanceUid, result.SopInstanceUid })
        {
            if (uid.Length is 0 or > 64 || uid.Any(c => c is not ('.' or (>= '0' and <= '9'))))
            {
                throw new InvalidOperationException("The engine returned a UID that is not digits and dots; nothing was written.");
            }
        }

        return $"{result.StudyInstanceUid}/{result.SeriesInstanceUid}/{result.SopInstanceUid}.dcm";
    }

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
