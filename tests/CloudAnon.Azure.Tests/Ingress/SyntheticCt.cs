using System.Text;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>Small synthetic CT instances for the pipeline tests, with a PHI marker in every identifying attribute they carry.</summary>
internal static class SyntheticCt
{
    public const string MarkerPrefix = PlantedPhi.Prefix;

    public static string NewMarker() => $"{MarkerPrefix}-{Guid.NewGuid():N}";

    public static string NewUid() => "1.2.826.0.1.3680043.10.999." + (BitConverter.ToUInt64(Guid.NewGuid().ToByteArray()) >> 4);

    /// <param name="pixelBytes">Size of the pixel data: 512 or a multiple of 512 (rows of 256 16-bit pixels); above 64 KiB it is bulk data, read only while the output is written.</param>
    public static async Task<byte[]> CreateAsync(
        string marker, string studyUid, string seriesUid, string sopUid, string burnedInAnnotation = "NO", int pixelBytes = 512)
    {
        var dataset = new DicomDataset();
        Text(dataset, 0x00080005, DicomVR.CS, "ISO_IR 100");
        Text(dataset, 0x00080016, DicomVR.UI, CtImageStorage);
        Text(dataset, 0x00080018, DicomVR.UI, sopUid);
        Text(dataset, 0x00080020, DicomVR.DA, "20240131");
        Text(dataset, 0x00080050, DicomVR.SH, marker[..16]);
        Text(dataset, 0x00080060, DicomVR.CS, "CT");
        Text(dataset, 0x00080080, DicomVR.LO, $"{marker} hospital");
        Text(dataset, 0x00080090, DicomVR.PN, $"{marker}^REFERRER");
        Text(dataset, 0x00081030, DicomVR.LO, $"{marker} study description");
        Text(dataset, 0x00100010, DicomVR.PN, $"{marker}^PATIENT");
        Text(dataset, 0x00100020, DicomVR.LO, $"ID-{marker}");
        Text(dataset, 0x00100030, DicomVR.DA, "19600229");
        Text(dataset, 0x0020000D, DicomVR.UI, studyUid);
        Text(dataset, 0x0020000E, DicomVR.UI, seriesUid);
        Text(dataset, 0x00200010, DicomVR.SH, "1");
        Text(dataset, 0x00280301, DicomVR.CS, burnedInAnnotation);
        UShort(dataset, 0x00280002, 1);
        Text(dataset, 0x00280004, DicomVR.CS, "MONOCHROME2");
        UShort(dataset, 0x00280010, (ushort)(pixelBytes / 2 / 256 is 0 ? 1 : pixelBytes / 2 / 256));
        UShort(dataset, 0x00280011, (ushort)Math.Min(pixelBytes / 2, 256));
        UShort(dataset, 0x00280100, 16);
        UShort(dataset, 0x00280101, 16);
        UShort(dataset, 0x00280102, 15);
        UShort(dataset, 0x00280103, 0);
        var pixels = new byte[pixelBytes];
        new Random(pixelBytes).NextBytes(pixels);
        dataset.Set(new DicomValueElement(DicomTag.PixelData, DicomVR.OW, pixels));

        var meta = new DicomDataset();
        meta.Set(new DicomValueElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        meta.Set(new DicomValueElement(new DicomTag(0x0002, 0x0001), DicomVR.OB, new byte[] { 0, 1 }));
        Text(meta, 0x00020002, DicomVR.UI, CtImageStorage);
        Text(meta, 0x00020003, DicomVR.UI, sopUid);
        Text(meta, 0x00020010, DicomVR.UI, TransferSyntax.ExplicitVRLittleEndian.Uid);
        Text(meta, 0x00020012, DicomVR.UI, "1.2.3.4");
        Text(meta, 0x00020016, DicomVR.AE, marker[..16]);
        using var file = DicomFile.Create(meta, dataset, TransferSyntax.ExplicitVRLittleEndian);
        meta.RecomputeGroupLengths();
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        return output.ToArray();
    }

    /// <summary>Whether <see cref="MarkerPrefix"/> occurs in the bytes, in ASCII or UTF-16LE, in any letter case.</summary>
    public static bool ContainsMarker(ReadOnlySpan<byte> bytes) => PlantedPhi.ContainsMarker(bytes);

    public static bool ContainsMarker(string? text) => text?.Contains(MarkerPrefix, StringComparison.OrdinalIgnoreCase) == true;

    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    private static void Text(DicomDataset dataset, uint tag, DicomVR vr, string value) =>
        dataset.Set(DicomValueElement.FromString(new DicomTag(tag), vr, value));

    private static void UShort(DicomDataset dataset, uint tag, ushort value) =>
        dataset.Set(new DicomValueElement(new DicomTag(tag), DicomVR.US, BitConverter.GetBytes(value)));
}
