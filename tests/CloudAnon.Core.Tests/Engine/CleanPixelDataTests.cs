using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>The Clean Pixel Data Option through the engine, on real ultrasound and screen-capture files.</summary>
public sealed class CleanPixelDataTests
{
    private const string PhilipsUltrasound = "private/philips_us/OBXXXX1A_rle_PhilipsUS.dcm";
    private static readonly DicomTag BurnedInAnnotationTag = new(0x0028, 0x0301);

    [Fact]
    public async Task A_cleaned_ultrasound_says_so_in_its_marks_and_burned_in_annotation()
    {
        var (result, output) = await RunAsync(PhilipsUltrasound, "clean-pixel-data=on");

        Assert.True(result.PixelCleaning!.Cleaned);
        Assert.Equal(Core.BurnedInAnnotation.No, result.BurnedInAnnotation);
        using var file = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal("NO", file.Dataset.GetAsciiString(BurnedInAnnotationTag));
        var codes = ((DicomSequence)file.Dataset.Find(new DicomTag(0x0012, 0x0064))!).Items.Select(i => i.GetAsciiString(new DicomTag(0x0008, 0x0100))).ToList();
        Assert.Equal(["113100", "113101"], codes);
        Assert.Equal("1.2.840.10008.1.2.5", file.FileMetaInformation.GetAsciiString(DicomTag.TransferSyntaxUid));
        Assert.NotEqual(await PixelBytesAsync(Corpus.Get(PhilipsUltrasound).FullPath), await PixelBytesAsync(file));
    }

    [Fact]
    public async Task Off_leaves_the_pixels_and_the_flag_alone()
    {
        var (result, output) = await RunAsync(PhilipsUltrasound, "clean-pixel-data=off");

        Assert.False(result.PixelCleaning!.Cleaned);
        using var file = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal(await PixelBytesAsync(Corpus.Get(PhilipsUltrasound).FullPath), await PixelBytesAsync(file));
        var codes = ((DicomSequence)file.Dataset.Find(new DicomTag(0x0012, 0x0064))!).Items.Select(i => i.GetAsciiString(new DicomTag(0x0008, 0x0100)));
        Assert.DoesNotContain("113101", codes);
    }

    [Fact]
    public async Task A_file_with_no_text_read_is_marked_examined_not_cleaned()
    {
        const string noText = "modality/US/US-RGB-8-esopecho";
        var (result, output) = await RunAsync(noText, "clean-pixel-data=on");

        Assert.Equal(PixelOutcome.Examined, result.PixelCleaning!.Outcome);
        using var file = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal(await PixelBytesAsync(Corpus.Get(noText).FullPath), await PixelBytesAsync(file));
        var codes = ((DicomSequence)file.Dataset.Find(new DicomTag(0x0012, 0x0064))!).Items.Select(i => i.GetAsciiString(new DicomTag(0x0008, 0x0100)));
        Assert.DoesNotContain("113101", codes);
        Assert.Contains("Pixel data examined, no burned-in text removed", file.Dataset.GetAsciiString(new DicomTag(0x0012, 0x0063)));
        Assert.NotEqual("NO", file.Dataset.GetAsciiString(BurnedInAnnotationTag));
    }

    [Theory]
    [InlineData("modality/DX/dx_image.dcm")]
    [InlineData("modality/CR/CR000000_charset_ISO2022_IR100.dcm")]
    [InlineData("modality/MG/GH133_GE_Senographe_MG.dcm")]
    public async Task Projection_radiography_is_a_candidate_by_default(string relativePath)
    {
        var (result, _) = await RunAsync(relativePath, "clean-pixel-data=on");

        Assert.NotEqual(CandidateReason.None, result.PixelCleaning!.Candidate);
        Assert.NotEqual(PixelOutcome.NotCandidate, result.PixelCleaning.Outcome);
    }

    [Theory]
    [InlineData(PhilipsUltrasound, "clean-pixel-data=detect-only", DeidentificationFailure.BurnedInTextDetected)]
    [InlineData("ts/jpegxl/will-jxl_US_multiframe.dcm", "clean-pixel-data=on", DeidentificationFailure.PixelEncodingUnsupported)]
    public async Task What_cannot_be_cleaned_is_refused_with_its_reason(string relativePath, string option, DeidentificationFailure reason)
    {
        var error = await Assert.ThrowsAsync<DeidentificationException>(() => RunAsync(relativePath, option));

        Assert.Equal(reason, error.Failure);
    }

    [Fact]
    public void The_option_parser_knows_the_modes_and_the_candidate_settings()
    {
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions(), "clean-pixel-data=detect-only, pixel-candidates=trust-explicit-no", out var options));
        Assert.Equal(CleanPixelDataMode.DetectOnly, options.CleanPixelData);
        Assert.True(options.PixelCandidates.TrustExplicitNo);
        Assert.False(ProfileOptionNames.TryApply(new DeidentificationOptions(), "clean-pixel-data=maybe", out _));
        Assert.Contains("clean-pixel-data=off|on|detect-only", ProfileOptionNames.Usage);
        Assert.Equal(PixelTextPolicy.All, options.PixelText);
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions(), "clean-pixel-data=on,pixel-text=identifying", out var identifying));
        Assert.Equal(PixelTextPolicy.Identifying, identifying.PixelText);
        Assert.False(ProfileOptionNames.TryApply(new DeidentificationOptions(), "pixel-text=some", out _));
        Assert.Contains("pixel-text=all|identifying", ProfileOptionNames.Usage);
    }

    private static async Task<(DeidentificationResult Result, byte[] Output)> RunAsync(string relativePath, string option)
    {
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions { Irreversible = true }, option, out var options));
        var deidentifier = new Deidentifier(options, new InMemoryMappingStore(), null);
        await using var stream = File.OpenRead(Corpus.Get(relativePath).FullPath);
        using var file = await DicomFile.OpenAsync(stream);
        var result = await deidentifier.DeidentifyAsync(file);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        return (result, output.ToArray());
    }

    private static async Task<byte[]> PixelBytesAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        using var file = await DicomFile.OpenAsync(stream);
        return await PixelBytesAsync(file);
    }

    private static async Task<byte[]> PixelBytesAsync(DicomFile file)
    {
        var fragments = (DicomFragments)file.Dataset.Find(DicomTag.PixelData)!;
        using var bytes = new MemoryStream();
        foreach (var fragment in fragments.Fragments.Skip(1))
        {
            if (fragment.Bulk is { } bulk) await bulk.CopyToAsync(bytes);
            else bytes.Write(fragment.Bytes.Span);
        }
        return bytes.ToArray();
    }
}
