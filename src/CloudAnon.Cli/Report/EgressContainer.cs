using Azure;
using Azure.Storage.Blobs;
using CloudAnon.Core.Audit.Report;
using CloudAnon.Dicom;

namespace CloudAnon.Cli.Report;

/// <summary>The pipeline's egress container, where an instance's output is the blob <c>Study/Series/SOP.dcm</c> of its de-identified UIDs.</summary>
internal sealed class EgressContainer(BlobContainerClient egress) : IDeidentifiedOutputs
{
    public async Task<Stream?> OpenAsync(string studyInstanceUid, PixelCleanedInstance instance, CancellationToken cancellationToken)
    {
        if (!DicomUid.TryGetInstancePath(studyInstanceUid, instance.SeriesInstanceUid, instance.SopInstanceUid, out var name)) return null;
        try
        {
            var content = await egress.GetBlobClient(name).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToStream();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
