using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

internal static class TestFiles
{
    /// <summary>A 0.53 MB CT of the corpus (the size of a typical CT slice); it arrives marked de-identified, see <see cref="DistinctInstancesAsync"/>.</summary>
    public const string HalfMegabyteCt = "modality/CT/SignedCT.dcm";

    /// <summary>Patient Identity Removed, De-identification Method, Encrypted Attributes: what makes the engine refuse a file as already done.</summary>
    private static readonly DicomTag[] DeidentificationMarks = [new(0x0012, 0x0062), new(0x0012, 0x0063), new(0x0400, 0x0500)];

    public const string NotDicom = "non-dicom/HelloWorld.pdf";

    public static Task<byte[]> ReadAsync(string corpusFile) => File.ReadAllBytesAsync(Corpus.Get(corpusFile).FullPath);

    /// <summary>
    /// <paramref name="count"/> distinct instances of <paramref name="corpusFile"/>: each a new SOP Instance UID, without
    /// de-identification marks (the pipeline refuses marked files today).
    /// </summary>
    public static async Task<List<byte[]>> DistinctInstancesAsync(string corpusFile, int count)
    {
        var original = await ReadAsync(corpusFile);
        var copies = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            using var source = new MemoryStream(original, writable: false);
            using var file = await DicomFile.OpenAsync(source);
            var uid = NewUid();
            file.Dataset.Set(new DicomValueElement(DicomTag.SopInstanceUid, DicomVR.UI, uid));
            file.FileMetaInformation.Set(new DicomValueElement(new DicomTag(0x0002, 0x0003), DicomVR.UI, uid));
            foreach (var mark in DeidentificationMarks)
            {
                file.Dataset.Remove(mark);
            }

            using var output = new MemoryStream();
            await file.SaveAsync(output);
            copies.Add(output.ToArray());
        }

        return copies;
    }

    /// <summary>
    /// A CT with a PHIMARK marker in every attribute the profile lists (see <see cref="PlantedPhi"/>); its Study Instance UID
    /// <paramref name="studyUid"/>, so tests sharing one app can each send an instance of their own (egress paths differ).
    /// </summary>
    public static async Task<byte[]> PlantedPhiFileAsync(string studyUid = "1.2.826.0.1.3680043.10.999.13")
    {
        var rows = ProfileTable.Current.Rows
            .Where(row => !row.IsPattern && row.Tag.Group != 0x0002)
            .Select(row => (row.Tag, VR: DicomDictionary.GetVR(row.Tag)))
            .Where(row => row.VR != DicomVR.UN);
        using var planted = PlantedPhi.Create(rows, $"{PlantedPhi.Prefix}PATIENTID", studyUid).File;
        using var output = new MemoryStream();
        await planted.SaveAsync(output);
        return output.ToArray();
    }

    /// <summary>A new UID (2.25 and a random 128-bit number, PS3.5 B.2) as an even-length UI value.</summary>
    private static byte[] NewUid()
    {
        var uid = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);
        return System.Text.Encoding.ASCII.GetBytes(uid.Length % 2 == 0 ? uid : uid + "\0");
    }
}
