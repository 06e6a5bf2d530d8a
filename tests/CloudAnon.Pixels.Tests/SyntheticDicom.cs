using System.Buffers.Binary;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Pixels.Tests;

/// <summary>How the synthetic frames are stored.</summary>
public enum SyntheticLayout
{
    /// <summary>MONOCHROME2, 8 bits.</summary>
    Mono8,

    /// <summary>MONOCHROME2, 12 bits stored in 16.</summary>
    Mono12,

    /// <summary>RGB, 8 bits, interleaved.</summary>
    Rgb8,
}

/// <summary>
/// Writes synthetic ultrasound files of <see cref="SyntheticFrame"/>s as Explicit VR Little Endian, then turns them into
/// other transfer syntaxes with DCMTK (dcmconv, dcmcrle, dcmcjpeg), so every codec path is fed by an independent encoder.
/// </summary>
internal static class SyntheticDicom
{
    public const string Manufacturer = "CLOUDANON TEST DEVICE";

    public static string Write(string directory, string name, IReadOnlyList<SyntheticFrame> frames, SyntheticLayout layout, string transferSyntax = "1.2.840.10008.1.2.1", string manufacturer = "SYNTHETIC SCANNER")
    {
        var first = frames[0];
        var dataset = new DicomDataset();
        Text(dataset, 0x0008, 0x0016, DicomVR.UI, frames.Count > 1 ? "1.2.840.10008.5.1.4.1.1.3.1" : "1.2.840.10008.5.1.4.1.1.6.1");
        Text(dataset, 0x0008, 0x0018, DicomVR.UI, "2.25.1000" + name.Length + frames.Count);
        Text(dataset, 0x0008, 0x0020, DicomVR.DA, "20260101");
        Text(dataset, 0x0008, 0x0030, DicomVR.TM, "101010");
        Text(dataset, 0x0008, 0x0050, DicomVR.SH, "ACC123");
        Text(dataset, 0x0008, 0x0060, DicomVR.CS, "US");
        Text(dataset, 0x0008, 0x0070, DicomVR.LO, manufacturer);
        Text(dataset, 0x0008, 0x0090, DicomVR.PN, "");
        Text(dataset, 0x0010, 0x0010, DicomVR.PN, "DOE^JANE^MARIA");
        Text(dataset, 0x0010, 0x0020, DicomVR.LO, "84736251");
        Text(dataset, 0x0010, 0x0030, DicomVR.DA, "19710314");
        Text(dataset, 0x0010, 0x0040, DicomVR.CS, "F");
        Text(dataset, 0x0020, 0x000D, DicomVR.UI, "2.25.2000");
        Text(dataset, 0x0020, 0x000E, DicomVR.UI, "2.25.3000");
        Text(dataset, 0x0020, 0x0010, DicomVR.SH, "1");
        Text(dataset, 0x0020, 0x0011, DicomVR.IS, "1");
        Text(dataset, 0x0020, 0x0013, DicomVR.IS, "1");
        Text(dataset, 0x0020, 0x0020, DicomVR.CS, "");
        bool colour = layout == SyntheticLayout.Rgb8;
        Number(dataset, 0x0028, 0x0002, colour ? 3 : 1);
        Text(dataset, 0x0028, 0x0004, DicomVR.CS, colour ? "RGB" : "MONOCHROME2");
        if (colour) Number(dataset, 0x0028, 0x0006, 0);
        if (frames.Count > 1)
        {
            Text(dataset, 0x0028, 0x0008, DicomVR.IS, frames.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            dataset.Set(new DicomValueElement(new DicomTag(0x0028, 0x0009), DicomVR.AT, new byte[] { 0x18, 0x00, 0x63, 0x10 }));
            Text(dataset, 0x0018, 0x1063, DicomVR.DS, "33.3");
        }
        Number(dataset, 0x0028, 0x0010, first.Height);
        Number(dataset, 0x0028, 0x0011, first.Width);
        int bits = layout == SyntheticLayout.Mono12 ? 16 : 8, stored = layout == SyntheticLayout.Mono12 ? 12 : 8;
        Number(dataset, 0x0028, 0x0100, bits);
        Number(dataset, 0x0028, 0x0101, stored);
        Number(dataset, 0x0028, 0x0102, stored - 1);
        Number(dataset, 0x0028, 0x0103, 0);
        Text(dataset, 0x0028, 0x2110, DicomVR.CS, "00");
        dataset.Set(new DicomValueElement(DicomTag.PixelData, bits == 16 ? DicomVR.OW : DicomVR.OB, PixelBytes(frames, layout)));

        var meta = new DicomDataset();
        meta.Set(new DicomValueElement(DicomTag.FileMetaInformationGroupLength, DicomVR.UL, new byte[4]));
        meta.Set(new DicomValueElement(new DicomTag(0x0002, 0x0001), DicomVR.OB, new byte[] { 0, 1 }));
        Text(meta, 0x0002, 0x0002, DicomVR.UI, dataset.GetAsciiString(DicomTag.SopClassUid)!);
        Text(meta, 0x0002, 0x0003, DicomVR.UI, dataset.GetAsciiString(DicomTag.SopInstanceUid)!);
        Text(meta, 0x0002, 0x0010, DicomVR.UI, "1.2.840.10008.1.2.1");
        Text(meta, 0x0002, 0x0012, DicomVR.UI, "2.25.4000");

        string native = Path.Combine(directory, name + ".native.dcm");
        using (var output = File.Create(native))
        {
            DicomFile.Create(meta, dataset, TransferSyntax.ExplicitVRLittleEndian).SaveAsync(output).GetAwaiter().GetResult();
        }
        return transferSyntax == "1.2.840.10008.1.2.1" ? native : Convert(native, Path.Combine(directory, name + ".dcm"), transferSyntax);
    }

    /// <summary>The stored samples of a frame: grey from the red channel for monochrome (scaled to 12 bits), RGB as rendered.</summary>
    public static byte[] FrameSamples(SyntheticFrame frame, SyntheticLayout layout)
    {
        int pixels = frame.Width * frame.Height;
        switch (layout)
        {
            case SyntheticLayout.Rgb8:
                return (byte[])frame.Rgb.Clone();
            case SyntheticLayout.Mono8:
                return Enumerable.Range(0, pixels).Select(p => frame.Rgb[p * 3]).ToArray();
            default:
                var samples = new byte[pixels * 2];
                for (int p = 0; p < pixels; p++) BinaryPrimitives.WriteUInt16LittleEndian(samples.AsSpan(p * 2), (ushort)(frame.Rgb[p * 3] * 16 + p % 7));
                return samples;
        }
    }

    private static byte[] PixelBytes(IReadOnlyList<SyntheticFrame> frames, SyntheticLayout layout) => [.. frames.SelectMany(f => FrameSamples(f, layout))];

    private static string Convert(string source, string target, string transferSyntax)
    {
        var (tool, options) = transferSyntax switch
        {
            "1.2.840.10008.1.2" => ("dcmconv", new[] { "+ti" }),
            "1.2.840.10008.1.2.2" => ("dcmconv", ["+tb"]),
            "1.2.840.10008.1.2.1.99" => ("dcmconv", ["+td"]),
            "1.2.840.10008.1.2.5" => ("dcmcrle", []),
            "1.2.840.10008.1.2.4.50" => ("dcmcjpeg", ["+eb"]),
            "1.2.840.10008.1.2.4.51" => ("dcmcjpeg", ["+ee"]),
            "1.2.840.10008.1.2.4.70" => ("dcmcjpeg", ["+e1"]),
            "1.2.840.10008.1.2.4.57" => ("dcmcjpeg", ["+el", "+sv", "6"]),
            _ => throw new ArgumentOutOfRangeException(nameof(transferSyntax)),
        };
        var result = ExternalTool.Run(tool, [.. options, source, target]);
        if (result.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {result.StandardError}");
        return target;
    }

    private static void Text(DicomDataset dataset, ushort group, ushort element, DicomVR vr, string value) =>
        dataset.Set(DicomValueElement.FromString(new DicomTag(group, element), vr, value));

    private static void Number(DicomDataset dataset, ushort group, ushort element, int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
        dataset.Set(new DicomValueElement(new DicomTag(group, element), DicomVR.US, bytes));
    }
}
