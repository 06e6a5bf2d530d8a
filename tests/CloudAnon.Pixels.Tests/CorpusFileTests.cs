using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// The real ultrasound, screen-capture and secondary-capture files of the corpus: each is cleaned or refused with its
/// reason, as docs/pixels.md's table says; every cleaned output is read by dcmdump and has no dciodvfy error its input had not.
/// </summary>
[Collection(DetectorCollection.Name)]
public sealed class CorpusFileTests(DetectorFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-corpus-pixels-").FullName;

    public static TheoryData<string, DeidentificationFailure?> Files => new()
    {
        { "modality/US/US-RGB-8-esopecho", null },
        { "modality/US/examples_palette_US.dcm", null },
        { "modality/US_multiframe/US-PAL-8-10x-echo", null },
        { "modality/US_multiframe/examples_ybr_color_30frames.dcm", null },
        { "modality/XC/JPEGwithIcon_XC.dcm", null },
        { "private/acuson/YBR_FULL-RLE_Acuson.dcm", null },
        { "private/ge/PrivateTags_GEMS_Ultrasound.dcm", null },
        { "private/kinetdx/JPGLosslessP14SV1_KINETDX_PhilipsUS.dcm", null },
        { "private/philips_us/OBXXXX1A_rle_PhilipsUS.dcm", null },
        { "ts/encapsulated_multiframe/IM00001_US_fragmented_no_bot_jpeg_baseline_50.dcm", null },
        { "overlay/ovly_p01.dcm", null },
        { "ts/rle/SC_rgb_rle_32bit_2frame.dcm", DeidentificationFailure.PixelLayoutUnsupported },
        { "ts/jpegxl/will-jxl_US_multiframe.dcm", DeidentificationFailure.PixelEncodingUnsupported },
        { "ts/j2k_lossless/GDCMJ2K_TextGBR.dcm", DeidentificationFailure.PixelEncodingUnsupported },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Each_file_is_cleaned_or_refused_with_its_reason(string relativePath, DeidentificationFailure? expected)
    {
        string input = Corpus.Get(relativePath).FullPath;
        string cleaned = Path.Combine(_directory, "cleaned.dcm");
        var cleaner = new PixelCleaner(fixture.Detector, new PixelCleanerOptions());
        await using (var stream = File.OpenRead(input))
        using (var file = await DicomFile.OpenAsync(stream))
        {
            try
            {
                var result = await cleaner.CleanAsync(file);
                output.WriteLine($"| {relativePath} | {result.Candidate} | cleaned: {result.TextRegionsFound} text regions, {result.PixelsBlankedPerFrame} pixels a frame | {file.TransferSyntax.Uid} |");
                Assert.Null(expected);
                Assert.True(result.Cleaned);
                await using var target = File.Create(cleaned);
                await file.SaveAsync(target);
            }
            catch (DeidentificationException e) when (expected is not null)
            {
                output.WriteLine($"| {relativePath} | quarantined | {e.Failure}: {e.Message} | |");
                Assert.Equal(expected, e.Failure);
                return;
            }
        }
        Oracles.AssertDcmdumpReads(cleaned);
        var newErrors = Oracles.DciodvfyErrors(cleaned).Except(Oracles.DciodvfyErrors(input)).ToList();
        Assert.True(newErrors.Count == 0, "new dciodvfy errors: " + string.Join(" | ", newErrors));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
