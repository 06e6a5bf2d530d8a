using System.Text;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Malformed structure written byte by byte (a library would put it right while writing): a duplicated element, elements
/// out of order, elements after Pixel Data, group lengths that lie. The output must hold one element per tag in
/// ascending order, and dcmdump must read it without a warning, in default mode and with each clean option.
/// </summary>
public sealed class ValidOutputTests
{
    private const string DuplicateName = "SECONDCOPY^MARKER";
    private const string TrailingDescription = "AFTERPIXELDATA MARKER";

    [Theory]
    [MemberData(nameof(CodestreamMetadataTests.Modes), MemberType = typeof(CodestreamMetadataTests))]
    public async Task The_output_has_one_element_per_tag_in_ascending_order_and_dcmdump_reads_it_without_a_warning(string mode)
    {
        byte[] input = RawDicom.File("1.2.840.10008.1.2.1", [],
            RawDicom.Explicit(0x00080000, "UL", BitConverter.GetBytes(7u)), // lies: the group is longer
            RawDicom.Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"),
            RawDicom.Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.7"),
            RawDicom.Explicit(0x00100010, "PN", "FIRSTCOPY^PATIENT"),
            RawDicom.Explicit(0x00100010, "PN", DuplicateName),
            RawDicom.Explicit(0x0020000D, "UI", "1.2.826.0.1.3680043.10.999.70"),
            RawDicom.Explicit(0x00100020, "LO", "OUTOFORDER4417"),
            RawDicom.Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.71"),
            RawDicom.Explicit(0x00200013, "IS", "7"),
            RawDicom.Explicit(0x00280000, "UL", BitConverter.GetBytes(1000u)), // lies
            RawDicom.Explicit(0x00280002, "US", BitConverter.GetBytes((ushort)1)),
            RawDicom.Explicit(0x00280004, "CS", "MONOCHROME2"),
            RawDicom.Explicit(0x00280010, "US", BitConverter.GetBytes((ushort)1)),
            RawDicom.Explicit(0x00280011, "US", BitConverter.GetBytes((ushort)2)),
            RawDicom.Explicit(0x00280100, "US", BitConverter.GetBytes((ushort)16)),
            RawDicom.Explicit(0x00280101, "US", BitConverter.GetBytes((ushort)12)),
            RawDicom.Explicit(0x00280102, "US", BitConverter.GetBytes((ushort)11)),
            RawDicom.Explicit(0x00280103, "US", BitConverter.GetBytes((ushort)0)),
            RawDicom.Explicit(0x7FE00010, "OW", [1, 2, 3, 4]),
            RawDicom.Explicit(0x00101000, "LO", TrailingDescription), // Other Patient IDs: X in every mode
            RawDicom.Explicit(0x00080060, "CS", "OT"),
            RawDicom.Explicit(0x00200013, "IS", "8"),
            RawDicom.Explicit(0xFFFCFFFC, "OB", Encoding.ASCII.GetBytes("PADDINGMARKER0")));
        Assert.Contains("W: ", Dcmdump(input)); // the planted faults are seen as such

        var (result, output) = await CodestreamMetadataTests.RunAsync(input, mode);

        string text = Encoding.Latin1.GetString(output);
        Assert.DoesNotContain(DuplicateName, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TrailingDescription, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PADDINGMARKER", text, StringComparison.Ordinal);
        Assert.DoesNotContain("W: ", Dcmdump(output));
        Assert.DoesNotContain("E: ", Dcmdump(output));
        using var file = await EngineHarness.ReadAsync(output);
        var tags = file.Dataset.Elements.Select(e => e.Tag.Value).ToList();
        Assert.Equal(tags.Order(), tags);
        Assert.Equal(tags.Distinct(), tags);
        Assert.Equal(DicomTag.PixelData, file.Dataset.Elements[^1].Tag);
        Assert.DoesNotContain(file.Dataset.Elements, e => e.Tag.IsGroupLength);
        Assert.Equal("7", file.Dataset.GetAsciiString(new DicomTag(0x0020, 0x0013))); // the first copy is kept
        Assert.Equal("OT", file.Dataset.GetAsciiString(new DicomTag(0x0008, 0x0060))); // moved into place, kept
        Assert.Contains(new StructureRepair(StructureRepairKind.DuplicateDropped, new DicomTag(0x0010, 0x0010)), result.StructureRepairs);
        Assert.Contains(new StructureRepair(StructureRepairKind.DuplicateDropped, new DicomTag(0x0020, 0x0013)), result.StructureRepairs);
        Assert.Contains(result.StructureRepairs, r => r.Kind == StructureRepairKind.Reordered);
        Assert.DoesNotContain(result.StructureRepairs, r => r.ToString().Contains("MARKER", StringComparison.Ordinal) || r.ToString().Contains("PATIENT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Items_of_sequences_are_put_in_order_too()
    {
        byte[] item = RawDicom.Item(
            RawDicom.Explicit(0x00080104, "LO", "Lossy Compression"),
            RawDicom.Explicit(0x00080100, "SH", "113040"),
            RawDicom.Explicit(0x00080102, "SH", "DCM"),
            RawDicom.Explicit(0x00080102, "SH", "99LOCAL"));
        byte[] input = RawDicom.File("1.2.840.10008.1.2.1", [],
            RawDicom.Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"),
            RawDicom.Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.7"),
            RawDicom.Explicit(0x00089215, "SQ", item), // Derivation Code Sequence: kept
            RawDicom.Explicit(0x0020000D, "UI", "1.2.826.0.1.3680043.10.999.70"),
            RawDicom.Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.71"));

        var (result, output) = await CodestreamMetadataTests.RunAsync(input, "");

        Assert.DoesNotContain("W: ", Dcmdump(output));
        using var file = await EngineHarness.ReadAsync(output);
        var code = Assert.Single(((DicomSequence)file.Dataset.Find(new DicomTag(0x0008, 0x9215))!).Items);
        Assert.Equal([0x00080100u, 0x00080102u, 0x00080104u], code.Elements.Select(e => e.Tag.Value));
        Assert.Equal("DCM", code.GetAsciiString(new DicomTag(0x0008, 0x0102)));
        Assert.Contains(new StructureRepair(StructureRepairKind.DuplicateDropped, new DicomTag(0x0008, 0x0102)), result.StructureRepairs);
    }

    /// <summary>dcmdump's messages (warnings and errors on stderr) for the bytes.</summary>
    private static string Dcmdump(byte[] dicom)
    {
        var result = ExternalTool.RunOnBytes(dicom, "dcmdump", "+E");
        return result.StandardError;
    }
}
