using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.TestSupport;

/// <summary>
/// A synthetic CT instance with a unique marker planted in every attribute it can fill: every exact row of
/// PS3.15 Table E.1-1 given as (tag, VR) pairs, nested sequences, private text and binary (ASCII and UTF-16),
/// overlay data and comments, curves, SR-style content and the File Meta AE titles. Every text marker starts with
/// <see cref="Prefix"/>, so one case-insensitive search of the output finds any that leaked.
/// </summary>
public static class PlantedPhi
{
    public const string Prefix = "PHIMARK";

    public sealed record Planted(DicomFile File, IReadOnlyList<string> Uids, IReadOnlyList<string> Dates, byte[] PixelData);

    public static Planted Create(IEnumerable<(DicomTag Tag, DicomVR VR)> profileRows, string patientId, string studyUid, int seed = 0)
    {
        var dataset = new DicomDataset();
        var uids = new List<string>();
        var dates = new List<string>();
        int n = seed * 10_000;
        foreach (var (tag, vr) in profileRows)
        {
            n++;
            if (vr == DicomVR.SQ)
            {
                dataset.Set(new DicomSequence(tag, [NestedItem($"{Prefix}S{n}", depth: 3)]));
                continue;
            }
            var value = ValueFor(vr, n, uids, dates);
            if (value is not null) dataset.Set(new DicomValueElement(tag, vr, value));
        }

        SetText(dataset, 0x00080005, DicomVR.CS, "ISO_IR 100");
        SetText(dataset, 0x00080016, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        SetText(dataset, 0x00080060, DicomVR.CS, "CT");
        SetText(dataset, 0x00100020, DicomVR.LO, patientId);
        SetText(dataset, 0x0020000D, DicomVR.UI, studyUid);
        SetText(dataset, 0x00280301, DicomVR.CS, "NO");
        SetText(dataset, 0x00080020, DicomVR.DA, "19990203");
        dates.Add("19990203");

        // Image pixel module: 2×2, 16-bit, with a recognisable pattern.
        SetUShort(dataset, 0x00280002, 1);
        SetText(dataset, 0x00280004, DicomVR.CS, "MONOCHROME2");
        SetUShort(dataset, 0x00280010, 2);
        SetUShort(dataset, 0x00280011, 2);
        SetUShort(dataset, 0x00280100, 16);
        SetUShort(dataset, 0x00280101, 12);
        SetUShort(dataset, 0x00280102, 11);
        SetUShort(dataset, 0x00280103, 0);
        byte[] pixels = [1, 2, 3, 4, 5, 6, 7, 8];
        dataset.Set(new DicomValueElement(DicomTag.PixelData, DicomVR.OW, pixels));

        // Overlay plane 6000 with marker bits and comment; a curve 5000.
        SetUShort(dataset, 0x60000010, 2);
        SetUShort(dataset, 0x60000011, 2);
        SetText(dataset, 0x60000040, DicomVR.CS, "G");
        dataset.Set(new DicomValueElement(new DicomTag(0x6000, 0x0050), DicomVR.SS, new byte[] { 1, 0, 1, 0 }));
        SetUShort(dataset, 0x60000100, 1);
        SetUShort(dataset, 0x60000102, 0);
        dataset.Set(new DicomValueElement(new DicomTag(0x6000, 0x3000), DicomVR.OW, Encoding.ASCII.GetBytes($"{Prefix}OVL1")));
        SetText(dataset, 0x60004000, DicomVR.LT, $"{Prefix}OVERLAYCOMMENT");
        dataset.Set(new DicomValueElement(new DicomTag(0x5000, 0x3000), DicomVR.OW, Encoding.ASCII.GetBytes($"{Prefix}CURV")));

        // Private block: creator, text, binary with the marker in ASCII and UTF-16LE, and a private sequence.
        SetText(dataset, 0x00090010, DicomVR.LO, $"{Prefix} CREATOR");
        SetText(dataset, 0x00091010, DicomVR.LO, $"{Prefix}PRIVATETEXT");
        dataset.Set(new DicomValueElement(new DicomTag(0x0009, 0x1011), DicomVR.OB,
            Pad([.. Encoding.ASCII.GetBytes($"{Prefix}BIN"), 0, .. Encoding.Unicode.GetBytes($"{Prefix}UTF16")])));
        dataset.Set(new DicomSequence(new DicomTag(0x0009, 0x1012), [NestedItem($"{Prefix}PRIVSEQ", depth: 2)]));

        // RT structure set: ROI names and descriptions at depth, referencing the frame of reference.
        var roi = new DicomDataset();
        SetText(roi, 0x30060022, DicomVR.IS, "1");
        SetText(roi, 0x30060024, DicomVR.UI, dataset.GetAsciiString(new DicomTag(0x0020, 0x0052)) ?? "1.2.3");
        SetText(roi, 0x30060026, DicomVR.LO, $"{Prefix}ROINAME");
        SetText(roi, 0x30060028, DicomVR.LO, $"{Prefix}ROIDESCRIPTION");
        dataset.Set(new DicomSequence(new DicomTag(0x3006, 0x0020), [roi]));

        // SR-style content (Content Sequence is in the table; this adds text and a person name at depth).
        dataset.Set(new DicomSequence(new DicomTag(0x0040, 0xA730), [ContentItem(n)]));

        var meta = new DicomDataset();
        meta.Set(new DicomValueElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        meta.Set(new DicomValueElement(new DicomTag(0x0002, 0x0001), DicomVR.OB, new byte[] { 0, 1 }));
        SetText(meta, 0x00020002, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2");
        SetText(meta, 0x00020003, DicomVR.UI, dataset.GetAsciiString(DicomTag.SopInstanceUid)!);
        SetText(meta, 0x00020010, DicomVR.UI, TransferSyntax.ExplicitVRLittleEndian.Uid);
        SetText(meta, 0x00020012, DicomVR.UI, "1.2.3.4");
        SetText(meta, 0x00020016, DicomVR.AE, $"{Prefix}AE");
        var file = DicomFile.Create(meta, dataset, TransferSyntax.ExplicitVRLittleEndian);
        meta.RecomputeGroupLengths();
        return new Planted(file, uids, dates, pixels);
    }

    /// <summary>Whether the marker prefix occurs anywhere in the bytes, in ASCII or UTF-16LE, in any letter case.</summary>
    public static bool ContainsMarker(ReadOnlySpan<byte> bytes) =>
        ContainsIgnoreCase(bytes, Encoding.ASCII.GetBytes(Prefix)) || ContainsIgnoreCase(bytes, Encoding.Unicode.GetBytes(Prefix));

    private static bool ContainsIgnoreCase(ReadOnlySpan<byte> haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && (haystack[i + j] | 0x20) == (needle[j] | 0x20)) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    private static byte[]? ValueFor(DicomVR vr, int n, List<string> uids, List<string> dates)
    {
        string? text = vr switch
        {
            _ when vr == DicomVR.UI => Remember(uids, $"1.2.826.0.1.3680043.10.999.{n}"),
            _ when vr == DicomVR.DA => Remember(dates, new DateOnly(1950, 1, 1).AddDays(n).ToString("yyyyMMdd")),
            _ when vr == DicomVR.DT => Remember(dates, new DateOnly(1950, 1, 1).AddDays(n).ToString("yyyyMMdd")) + "101010",
            _ when vr == DicomVR.TM => "101010",
            _ when vr == DicomVR.AS => "042Y",
            _ when vr == DicomVR.DS || vr == DicomVR.IS => (n % 1000).ToString(),
            _ when vr == DicomVR.CS || vr == DicomVR.AE || vr == DicomVR.SH => $"{Prefix}{n}",
            _ when vr == DicomVR.PN => $"{Prefix}{n}^GIVEN{Prefix}",
            _ when vr.IsString => $"{Prefix}{n} text",
            _ => null,
        };
        if (text is not null) return Pad(Encoding.ASCII.GetBytes(text), vr == DicomVR.UI ? (byte)0 : (byte)' ');
        if (vr == DicomVR.OB || vr == DicomVR.OW || vr == DicomVR.UN) return Pad(Encoding.ASCII.GetBytes($"{Prefix}{n}"));
        return vr.UnitSize > 1 ? new byte[vr.UnitSize] : null;
    }

    private static string Remember(List<string> list, string value)
    {
        list.Add(value);
        return value;
    }

    private static DicomDataset NestedItem(string marker, int depth)
    {
        var item = new DicomDataset();
        SetText(item, 0x00100010, DicomVR.PN, $"{marker}^NESTED");
        SetText(item, 0x00081030, DicomVR.LO, $"{marker} description");
        if (depth > 1) item.Set(new DicomSequence(new DicomTag(0x0008, 0x1032), [NestedItem(marker + "D", depth - 1)]));
        return item;
    }

    private static DicomDataset ContentItem(int n)
    {
        var item = new DicomDataset();
        SetText(item, 0x0040A040, DicomVR.CS, "TEXT");
        SetText(item, 0x0040A160, DicomVR.UT, $"{Prefix}SRTEXT{n} observed by Dr {Prefix}OBSERVER");
        SetText(item, 0x0040A123, DicomVR.PN, $"{Prefix}PERSON{n}");
        return item;
    }

    private static void SetText(DicomDataset dataset, uint tag, DicomVR vr, string value) =>
        dataset.Set(DicomValueElement.FromString(new DicomTag(tag), vr, value));

    private static void SetUShort(DicomDataset dataset, uint tag, ushort value) =>
        dataset.Set(new DicomValueElement(new DicomTag(tag), DicomVR.US, BitConverter.GetBytes(value)));

    private static byte[] Pad(byte[] bytes, byte padding = 0) => bytes.Length % 2 == 0 ? bytes : [.. bytes, padding];
}
