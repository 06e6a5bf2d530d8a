using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// The real ultrasound, screen-capture, secondary-capture and projection radiography files of the corpus through the
/// engine with Clean Pixel Data on, under pixel-text=all and pixel-text=identifying: each is cleaned, examined (nothing
/// to blank, no pixel changed) or refused with its reason, as docs/pixels.md's table says. Every output is read by
/// dcmdump and has no dciodvfy error or warning that the same file de-identified with Clean Pixel Data off does not also
/// have; dcmdump shows the marks only on cleaned outputs (Burned In Annotation NO and code 113101).
/// (Files the engine refuses with the option off too have no such baseline; they are refused with it on as well.)
/// </summary>
public sealed class CorpusFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-corpus-pixels-").FullName;

    public static TheoryData<string, string, string> Files => new()
    {
        { "modality/US/US-RGB-8-esopecho", "Examined", "Examined" },
        { "modality/US/examples_palette_US.dcm", "Cleaned", "Cleaned" },
        { "modality/US_multiframe/US-PAL-8-10x-echo", "Cleaned", "Examined" },
        { "modality/US_multiframe/examples_ybr_color_30frames.dcm", "Cleaned", "Cleaned" },
        { "modality/XC/JPEGwithIcon_XC.dcm", "Cleaned", "Examined" },
        { "private/acuson/YBR_FULL-RLE_Acuson.dcm", "Cleaned", "Cleaned" },
        { "private/ge/PrivateTags_GEMS_Ultrasound.dcm", "Cleaned", "Cleaned" },
        { "private/kinetdx/JPGLosslessP14SV1_KINETDX_PhilipsUS.dcm", "Cleaned", "Cleaned" },
        { "private/philips_us/OBXXXX1A_rle_PhilipsUS.dcm", "Cleaned", "Cleaned" },
        { "ts/encapsulated_multiframe/IM00001_US_fragmented_no_bot_jpeg_baseline_50.dcm", "Cleaned", "Examined" },
        { "overlay/ovly_p01.dcm", "Cleaned", "Cleaned" },
        { "modality/CR/CR000000_charset_ISO2022_IR100.dcm", "NotCandidate", "NotCandidate" },
        { "modality/DX/dx_image.dcm", "Examined", "Examined" },
        { "modality/MG/GH133_GE_Senographe_MG.dcm", "Examined", "Examined" },
        { "modality/RF/KarstenHilbertRF.dcm", "Examined", "Examined" },
        { "modality/CR/RG3_J2KI_CR.dcm", nameof(DeidentificationFailure.PixelEncodingUnsupported), nameof(DeidentificationFailure.PixelEncodingUnsupported) },
        { "ts/rle/SC_rgb_rle_32bit_2frame.dcm", nameof(DeidentificationFailure.PixelLayoutUnsupported), nameof(DeidentificationFailure.PixelLayoutUnsupported) },
        { "ts/jpegxl/will-jxl_US_multiframe.dcm", nameof(DeidentificationFailure.PixelEncodingUnsupported), nameof(DeidentificationFailure.PixelEncodingUnsupported) },
        { "ts/j2k_lossless/GDCMJ2K_TextGBR.dcm", nameof(DeidentificationFailure.PixelEncodingUnsupported), nameof(DeidentificationFailure.PixelEncodingUnsupported) },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Each_file_gets_its_outcome_under_both_policies(string relativePath, string withAll, string withIdentifying)
    {
        string input = Corpus.Get(relativePath).FullPath;
        string baseline = Path.Combine(_directory, "baseline.dcm");
        // A file the engine refuses whatever the pixel setting (metadata inside a codestream it cannot walk) has no baseline.
        await DeidentifyAsync(input, "clean-pixel-data=off", baseline);
        var baselineFindings = File.Exists(baseline) ? Oracles.DciodvfyFindings(baseline) : [];

        var outcomes = new List<string>();
        foreach (var (policy, expected) in new[] { ("all", withAll), ("identifying", withIdentifying) })
        {
            string cleaned = Path.Combine(_directory, policy + ".dcm");
            string outcome = await DeidentifyAsync(input, "clean-pixel-data=on,pixel-text=" + policy, cleaned);
            outcomes.Add(outcome);
            if (!File.Exists(cleaned)) continue;
            Oracles.AssertDcmdumpReads(cleaned);
            var newFindings = Oracles.DciodvfyFindings(cleaned).Except(baselineFindings).ToList();
            Assert.True(newFindings.Count == 0, $"{policy}: new dciodvfy errors or warnings: " + string.Join(" | ", newFindings));
            string dump = ExternalTool.Run("dcmdump", cleaned).StandardOutput;
            bool cleanedMarks = dump.Contains("(0028,0301) CS [NO]", StringComparison.Ordinal) && dump.Contains("[113101]", StringComparison.Ordinal);
            Assert.Equal(outcome == nameof(PixelOutcome.Cleaned), cleanedMarks);
            Assert.Equal(outcome == nameof(PixelOutcome.Cleaned), dump.Contains("[113101]", StringComparison.Ordinal));
        }
        output.WriteLine($"| {relativePath} | {outcomes[0]} | {outcomes[1]} |");
        Assert.Equal([withAll, withIdentifying], outcomes);
    }

    /// <summary>The pixel outcome (and its details), or the quarantine reason; the output is written only when not quarantined.</summary>
    private async Task<string> DeidentifyAsync(string input, string option, string target)
    {
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions { Irreversible = true, AllowAlreadyDeidentified = true }, option, out var options));
        var deidentifier = new Deidentifier(options, new InMemoryMappingStore(), null);
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);
        try
        {
            var result = await deidentifier.DeidentifyAsync(file);
            var pixels = result.PixelCleaning!;
            output.WriteLine($"{option}: {pixels.Outcome}, {pixels.TextRegionsFound} lines read, {pixels.TextureRegions} regions read as nothing, {pixels.UnreadRegions} not read inside the area blanked anyway, {pixels.Kept.Count} kept, {pixels.PixelsBlankedPerFrame} pixels blanked a frame");
            await using var written = File.Create(target);
            await file.SaveAsync(written);
            return pixels.Outcome.ToString();
        }
        catch (DeidentificationException e)
        {
            output.WriteLine($"{option}: quarantined, {e.Failure}: {e.Message}");
            File.Delete(target);
            return e.Failure.ToString();
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
