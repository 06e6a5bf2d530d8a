using CloudAnon.Dicom;

namespace CloudAnon.Network.Storage;

/// <summary>The preamble, prefix and File Meta Information that make a received data set a Part 10 file (PS3.10 7.1).</summary>
internal static class FileMetaHeader
{
    public static async Task<byte[]> EncodeAsync(string sopClassUid, string sopInstanceUid, TransferSyntax syntax, CancellationToken cancellationToken)
    {
        var meta = new DicomDataset();
        meta.Set(new DicomValueElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        meta.Set(new DicomValueElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 }));
        meta.Set(DicomValueElement.FromString(DicomTag.MediaStorageSopClassUid, DicomVR.UI, sopClassUid));
        meta.Set(DicomValueElement.FromString(DicomTag.MediaStorageSopInstanceUid, DicomVR.UI, sopInstanceUid));
        meta.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, syntax.Uid));
        meta.Set(DicomValueElement.FromString(DicomTags.ImplementationClassUID, DicomVR.UI, DicomImplementation.ClassUid));
        meta.Set(DicomValueElement.FromString(DicomTags.ImplementationVersionName, DicomVR.SH, DicomImplementation.VersionName));
        using var output = new MemoryStream();
        // An empty data set in Explicit VR Little Endian: the file writes its meta and nothing after it.
        using var file = DicomFile.Create(meta, new DicomDataset(), TransferSyntax.ExplicitVRLittleEndian);
        await file.SaveAsync(output, cancellationToken: cancellationToken).ConfigureAwait(false);
        return output.ToArray();
    }
}
