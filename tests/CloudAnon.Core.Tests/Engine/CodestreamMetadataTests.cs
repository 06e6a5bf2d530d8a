using System.Buffers.Binary;
using System.Text;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Metadata inside compressed pixel data through the engine: planted byte by byte in JPEG, JPEG-LS, JPEG 2000 and HTJ2K
/// codestreams (across fragment boundaries, in several frames), searched for in every output byte in default mode and
/// with each clean option, with the pixels judged by outside decoders (dcmdjpeg, dcmdjpls, opj_decompress).
/// </summary>
public sealed class CodestreamMetadataTests
{
    private const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    private const string JpegLsLossless = "1.2.840.10008.1.2.4.80";
    private const string Jpeg2000 = "1.2.840.10008.1.2.4.91";
    private const string Htj2kLossless = "1.2.840.10008.1.2.4.201";

    public static TheoryData<string> Modes() => ["", "clean-descriptors", "clean-structured-content", "clean-graphics", "clean-pixel-data=on"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Jpeg_markers_split_across_fragments_of_two_frames_are_gone_and_the_pixels_are_the_same(string mode)
    {
        var (jpeg, module) = await PlantedCodestreams.FromCorpusAsync(PlantedCodestreams.JpegBaselineSource);
        byte[] planted = PlantedCodestreams.PlantInJpeg(jpeg);
        int exif = IndexOf(planted, "Exif"), comment = IndexOf(planted, PlantedCodestreams.Comment);
        // Frame 1 in three fragments (of even length, as PS3.5 A.4 wants): one boundary inside the EXIF segment, one
        // inside the COM text. Frame 2 in one.
        byte[] input = PlantedCodestreams.File(JpegBaseline, module,
            [PlantedCodestreams.Split(planted, exif + 4 - exif % 2, comment + 6 - comment % 2), [planted]], basicOffsetTable: true);

        var (result, output) = await RunAsync(input, mode);

        AssertNoMarker(output);
        Assert.Equal(2, result.CodestreamsStripped);
        using var file = await EngineHarness.ReadAsync(output);
        var fragments = await FragmentsAsync(file);
        Assert.All(fragments, f => Assert.Equal(0, f.Length % 2));
        Assert.Equal(FrameOffsets(fragments), BasicOffsets(fragments[0]));
        Assert.All(fragments.Skip(1), f => Assert.True(f.AsSpan().StartsWith(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 })));
        // dcmdjpeg refuses the planted input's frame split across fragments: the output is judged against the source image.
        byte[] source = PlantedCodestreams.File(JpegBaseline, module, [[jpeg], [jpeg]], basicOffsetTable: true);
        Assert.Equal(DecodedByDcmtk("dcmdjpeg", source), DecodedByDcmtk("dcmdjpeg", output));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Jpeg_ls_markers_are_gone_and_the_pixels_are_the_same(string mode)
    {
        var (jls, module) = await PlantedCodestreams.FromCorpusAsync(PlantedCodestreams.JpegLsSource);
        byte[] input = PlantedCodestreams.File(JpegLsLossless, module, [[PlantedCodestreams.PlantInJpeg(jls, jfif: false)]], basicOffsetTable: false);

        var (_, output) = await RunAsync(input, mode);

        AssertNoMarker(output);
        // CharLS refuses the planted input itself, so the output is judged against the source codestream unplanted.
        byte[] source = PlantedCodestreams.File(JpegLsLossless, module, [[jls]], basicOffsetTable: false);
        Assert.Equal(DecodedByDcmtk("dcmdjpls", source), DecodedByDcmtk("dcmdjpls", output));
    }

    [Theory]
    [InlineData(PlantedCodestreams.Jpeg2000Source, Jpeg2000, "")]
    [InlineData(PlantedCodestreams.Jpeg2000Source, Jpeg2000, "clean-descriptors")]
    [InlineData(PlantedCodestreams.Jpeg2000Source, Jpeg2000, "clean-structured-content")]
    [InlineData(PlantedCodestreams.Jpeg2000Source, Jpeg2000, "clean-graphics")]
    [InlineData(PlantedCodestreams.Jpeg2000Source, Jpeg2000, "clean-pixel-data=on")]
    [InlineData(PlantedCodestreams.Htj2kSource, Htj2kLossless, "")]
    [InlineData(PlantedCodestreams.Htj2kSource, Htj2kLossless, "clean-pixel-data=on")]
    public async Task Jpeg_2000_comments_in_main_and_tile_part_headers_are_gone_and_the_pixels_are_the_same(string source, string syntax, string mode)
    {
        var (codestream, module) = await PlantedCodestreams.FromCorpusAsync(source);
        byte[] planted = PlantedCodestreams.PlantInJpeg2000(codestream);
        // The boundary cuts the main header's COM in two.
        byte[] input = PlantedCodestreams.File(syntax, module, [PlantedCodestreams.Split(planted, IndexOf(planted, PlantedCodestreams.MainHeaderComment) + 4)], basicOffsetTable: false);

        var (result, output) = await RunAsync(input, mode);

        AssertNoMarker(output);
        Assert.Equal(1, result.CodestreamsStripped);
        Assert.Equal(DecodedByOpenJpeg(await FrameAsync(input)), DecodedByOpenJpeg(await FrameAsync(output)));
    }

    [Fact]
    public async Task The_extended_offset_table_is_rewritten_with_the_frames()
    {
        var (jpeg, module) = await PlantedCodestreams.FromCorpusAsync(PlantedCodestreams.JpegBaselineSource);
        byte[] planted = PlantedCodestreams.PlantInJpeg(jpeg);
        byte[] table = [.. BitConverter.GetBytes(0UL), .. BitConverter.GetBytes((ulong)(8 + planted.Length))];
        byte[] lengths = [.. BitConverter.GetBytes((ulong)planted.Length), .. BitConverter.GetBytes((ulong)planted.Length)];
        byte[] input = PlantedCodestreams.File(JpegBaseline, module, [[planted], [planted]], basicOffsetTable: false,
            RawDicom.Explicit(0x7FE00001, "OV", table), RawDicom.Explicit(0x7FE00002, "OV", lengths));

        var (_, output) = await RunAsync(input, "");

        AssertNoMarker(output);
        using var file = await EngineHarness.ReadAsync(output);
        var fragments = await FragmentsAsync(file);
        Assert.Empty(fragments[0]);
        var offsets = UInt64s(file.Dataset.Find(new DicomTag(0x7FE0, 0x0001)));
        Assert.Equal(FrameOffsets(fragments), offsets);
        Assert.Equal(fragments.Skip(1).Select(f => (ulong)f.Length), UInt64s(file.Dataset.Find(new DicomTag(0x7FE0, 0x0002))));
        Assert.Equal(DecodedByDcmtk("dcmdjpeg", input), DecodedByDcmtk("dcmdjpeg", output));
    }

    public static TheoryData<string, string> Unwalkable() => new()
    {
        { "a segment longer than the codestream", "" },
        { "a second codestream after EOI", "" },
        { "a second codestream after EOI", "clean-pixel-data=on" },
    };

    [Theory]
    [MemberData(nameof(Unwalkable))]
    public async Task A_codestream_that_cannot_be_walked_is_quarantined_in_every_mode(string defect, string mode)
    {
        var (jpeg, module) = await PlantedCodestreams.FromCorpusAsync(PlantedCodestreams.JpegBaselineSource);
        byte[] planted = PlantedCodestreams.PlantInJpeg(jpeg);
        if (defect.StartsWith("a segment", StringComparison.Ordinal))
        {
            int comment = IndexOf(planted, PlantedCodestreams.Comment) - 4;
            BinaryPrimitives.WriteUInt16BigEndian(planted.AsSpan(comment + 2), 0xFFF0);
        }
        else
        {
            planted = [.. planted, .. jpeg]; // Number of Frames says 1
        }
        byte[] input = PlantedCodestreams.File(JpegBaseline, module, [[planted]], basicOffsetTable: false);

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => RunAsync(input, mode));

        Assert.Equal(DeidentificationFailure.CodestreamMetadataUnwalkable, error.Failure);
        Assert.DoesNotContain(PlantedCodestreams.Markers, marker => error.Message.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Jpeg_xl_whose_boxes_no_walker_reads_is_quarantined()
    {
        await using var stream = File.OpenRead(Corpus.Get("ts/jpegxl/will-jxl_US_multiframe.dcm").FullPath);
        using var file = await DicomFile.OpenAsync(stream);

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => new EngineHarness().RunAsync(file));

        Assert.Equal(DeidentificationFailure.CodestreamMetadataUnwalkable, error.Failure);
    }

    internal static async Task<(DeidentificationResult Result, byte[] Output)> RunAsync(byte[] input, string mode)
    {
        var options = new DeidentificationOptions { Irreversible = true };
        if (mode.Length > 0) Assert.True(ProfileOptionNames.TryApply(options, mode, out options));
        var deidentifier = new Deidentifier(options, new InMemoryMappingStore(), null);
        using var file = await EngineHarness.ReadAsync(input);
        var result = await deidentifier.DeidentifyAsync(file);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        return (result, output.ToArray());
    }

    private static void AssertNoMarker(byte[] output)
    {
        string text = Encoding.Latin1.GetString(output);
        Assert.DoesNotContain(PlantedCodestreams.Markers, marker => text.Contains(marker, StringComparison.Ordinal));
        Assert.DoesNotContain("Exif\0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Photoshop", text, StringComparison.Ordinal);
    }

    private static int IndexOf(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text));

    /// <summary>Where each frame's first fragment starts, counted from the first fragment's item tag: the offset table's meaning.</summary>
    private static ulong[] FrameOffsets(List<byte[]> fragments)
    {
        var offsets = new List<ulong>();
        ulong position = 0;
        foreach (var fragment in fragments.Skip(1))
        {
            if (fragment.AsSpan().StartsWith(new byte[] { 0xFF, 0xD8 })) offsets.Add(position);
            position += 8 + (ulong)fragment.Length;
        }
        return [.. offsets];
    }

    private static ulong[] BasicOffsets(byte[] table) =>
        [.. Enumerable.Range(0, table.Length / 4).Select(i => (ulong)BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(4 * i)))];

    /// <summary>The offset table and every fragment of Pixel Data, as bytes.</summary>
    private static async Task<List<byte[]>> FragmentsAsync(DicomFile file)
    {
        var contents = new List<byte[]>();
        foreach (var fragment in ((DicomFragments)file.Dataset.Find(DicomTag.PixelData)!).Fragments)
        {
            contents.Add(fragment.Bulk is { } bulk ? await bulk.ReadAllAsync() : fragment.Bytes.ToArray());
        }
        return contents;
    }

    private static ulong[] UInt64s(DicomElement? element)
    {
        var bytes = ((DicomValueElement)element!).Bytes.ToArray();
        return [.. Enumerable.Range(0, bytes.Length / 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8 * i)))];
    }

    /// <summary>The single frame's codestream, fragments joined (the fragment item structure is DICOM's, not the decoder's).</summary>
    private static async Task<byte[]> FrameAsync(byte[] dicom)
    {
        using var file = await EngineHarness.ReadAsync(dicom);
        return [.. (await FragmentsAsync(file)).Skip(1).SelectMany(f => f)];
    }

    /// <summary>Decompresses with a dcmtk tool (dcmdjpeg, dcmdjpls) and returns the Pixel Data gdcmraw extracts from the result.</summary>
    internal static byte[] DecodedByDcmtk(string tool, byte[] dicom) => DecodedPixels(dicom, (input, decoded) => ExternalTool.Run(tool, input, decoded));

    /// <summary>Decompresses with gdcmconv --raw and returns the Pixel Data gdcmraw extracts from the result.</summary>
    internal static byte[] DecodedByGdcm(byte[] dicom) => DecodedPixels(dicom, (input, decoded) => ExternalTool.Run("gdcmconv", "--raw", input, decoded));

    private static byte[] DecodedPixels(byte[] dicom, Func<string, string, ExternalTool.Result> decode)
    {
        string directory = Directory.CreateTempSubdirectory("cloudanon-decode-").FullName;
        try
        {
            string input = Path.Combine(directory, "in.dcm"), decoded = Path.Combine(directory, "decoded.dcm"), pixels = Path.Combine(directory, "pixels.raw");
            File.WriteAllBytes(input, dicom);
            var decoding = decode(input, decoded);
            Assert.True(decoding.ExitCode == 0, $"the decoder failed: {decoding.StandardError}");
            var extraction = ExternalTool.Run("gdcmraw", "-i", decoded, "-t", "7fe0,0010", "-o", pixels);
            Assert.True(extraction.ExitCode == 0, $"gdcmraw failed: {extraction.StandardError}");
            return File.ReadAllBytes(pixels);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Decodes a JPEG 2000 or HTJ2K codestream with OpenJPEG's opj_decompress to raw samples.</summary>
    private static byte[] DecodedByOpenJpeg(byte[] codestream)
    {
        string directory = Directory.CreateTempSubdirectory("cloudanon-opj-").FullName;
        try
        {
            string input = Path.Combine(directory, "frame.j2k"), raw = Path.Combine(directory, "frame.raw");
            File.WriteAllBytes(input, codestream);
            var decoding = ExternalTool.Run("opj_decompress", "-i", input, "-o", raw);
            Assert.True(decoding.ExitCode == 0, $"opj_decompress failed: {decoding.StandardError}{decoding.StandardOutput}");
            return File.ReadAllBytes(raw);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
