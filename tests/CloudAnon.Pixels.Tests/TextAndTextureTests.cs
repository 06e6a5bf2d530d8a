using CloudAnon.Dicom;
using CloudAnon.Pixels.Detection;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// Recognition tells text from texture: frames of texture alone keep every pixel and are marked examined, not cleaned;
/// text over texture is blanked with under 1% of the image changed outside the text's line boxes; small text on a 256 × 256 frame
/// and dark text on CT-like texture are blanked; a line the detector cuts short is read on and blanked whole; real CT
/// slices without text and regions thicker than a quarter of the frame are left; a file whose text is still read after
/// the last verification round is quarantined.
/// </summary>
[Collection(DetectorCollection.Name)]
public sealed class TextAndTextureTests(DetectorFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly DicomTag BurnedInAnnotation = new(0x0028, 0x0301);
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-texture-").FullName;

    public static TheoryData<Texture, SyntheticLayout> TextureOnly => new()
    {
        { Texture.Speckle, SyntheticLayout.Mono8 },
        { Texture.Speckle, SyntheticLayout.Mono12 },
        { Texture.Speckle, SyntheticLayout.Rgb8 },
        { Texture.Sector, SyntheticLayout.Mono8 },
        { Texture.Sector, SyntheticLayout.Mono12 },
        { Texture.Sector, SyntheticLayout.Rgb8 },
        { Texture.Periodic, SyntheticLayout.Mono8 },
        { Texture.Periodic, SyntheticLayout.Mono12 },
        { Texture.Periodic, SyntheticLayout.Rgb8 },
        { Texture.CtLike, SyntheticLayout.Mono12 },
        { Texture.Grating, SyntheticLayout.Mono8 },
        { Texture.Grating, SyntheticLayout.Mono12 },
        { Texture.Grating, SyntheticLayout.Rgb8 },
    };

    [Theory]
    [MemberData(nameof(TextureOnly))]
    public async Task A_frame_of_texture_alone_keeps_every_pixel_and_is_examined_not_cleaned(Texture texture, SyntheticLayout layout)
    {
        var frame = TexturedFrame.Render(texture, 640, 480, colour: layout == SyntheticLayout.Rgb8);
        string input = SyntheticDicom.Write(_directory, $"texture-{texture}-{layout}", [frame], layout);

        var (result, cleaned) = await CleanAsync(input);
        output.WriteLine($"{texture} {layout}: {result.Outcome}, {result.TextRegionsFound} lines read, {result.TextureRegions} regions read as nothing");

        Assert.Equal(PixelOutcome.Examined, result.Outcome);
        Assert.Equal(0, result.TextRegionsFound);
        Assert.Equal((await Oracles.ReadFramesAsync(input)).Frames[0], (await Oracles.ReadFramesAsync(cleaned)).Frames[0]);
        Assert.NotEqual("NO", (await Oracles.ReadHeaderAsync(cleaned)).Dataset.GetAsciiString(BurnedInAnnotation));
    }

    public static TheoryData<Texture, SyntheticLayout> TextOnTexture => new()
    {
        { Texture.Speckle, SyntheticLayout.Mono8 },
        { Texture.Speckle, SyntheticLayout.Mono12 },
        { Texture.Sector, SyntheticLayout.Rgb8 },
        { Texture.Grating, SyntheticLayout.Mono8 },
    };

    [Theory]
    [MemberData(nameof(TextOnTexture))]
    public async Task Text_over_texture_is_blanked_and_the_texture_kept(Texture texture, SyntheticLayout layout)
    {
        // Two lines over the texture itself (the sector's centre, the periodic patterns), two in the corners.
        var frame = TexturedFrame.Render(texture, 640, 480, colour: layout == SyntheticLayout.Rgb8, lines:
            [("DOE^JANE MARIA", 10, 28), ("ID 84736251", 250, 200), ("DOB 1971-03-14", 230, 330), ("ST ELSEWHERE", 470, 465)], fontSize: 20);
        string input = SyntheticDicom.Write(_directory, $"text-{texture}-{layout}", [frame], layout);

        var (result, cleaned) = await CleanAsync(input);

        var (outside, glyphsLeft) = Compare(await Oracles.ReadFramesAsync(input), await Oracles.ReadFramesAsync(cleaned), frame);
        output.WriteLine($"{texture} {layout}: {result.Outcome}, {result.TextRegionsFound} lines, {result.TextureRegions} texture regions; {outside} pixels changed outside the text boxes ({100.0 * outside / (640 * 480):0.00}%), {glyphsLeft} glyph pixels left");
        Assert.Equal(PixelOutcome.Cleaned, result.Outcome);
        Assert.Equal(0, glyphsLeft);
        Assert.True(outside < 640 * 480 / 100, $"{outside} pixels changed outside the text boxes");
        Oracles.AssertDcmdumpReads(cleaned);
    }

    [Fact]
    public async Task Small_text_on_a_256_frame_is_blanked()
    {
        // 12 px DejaVu: capitals and digits 9 px high.
        var frame = TexturedFrame.Render(Texture.CtLike, 256, 256, lines: [("DOE^JANE", 4, 14), ("ID 84736251", 4, 28), ("1971-03-14", 170, 250)], fontSize: 12);
        string input = SyntheticDicom.Write(_directory, "small", [frame], SyntheticLayout.Mono12);
        var image = new RgbImage(256, 256, frame.Rgb);
        output.WriteLine($"at 256: {string.Join("; ", fixture.Detector.Detect(image, enlargeTo: 0))}");
        output.WriteLine($"at {DetectionScales.First}: {string.Join("; ", fixture.Detector.Detect(image))}");

        var (result, cleaned) = await CleanAsync(input);

        var (outside, glyphsLeft) = Compare(await Oracles.ReadFramesAsync(input), await Oracles.ReadFramesAsync(cleaned), frame);
        output.WriteLine($"{result.Outcome}, {result.TextRegionsFound} lines; {outside} pixels changed outside the text, {glyphsLeft} glyph pixels left");
        Assert.Equal(PixelOutcome.Cleaned, result.Outcome);
        Assert.Equal(0, glyphsLeft);
    }

    [Fact]
    public async Task Dark_text_on_ct_texture_is_blanked()
    {
        // Darker than the soft tissue it is drawn on (grey 70 on 120 in 8 bits; 1,120 on 1,920 of 4,095 stored).
        var frame = TexturedFrame.Render(Texture.CtLike, 512, 512, lines: [("Name: DOE^JANE", 150, 385), ("ID 84736251", 170, 408)], fontSize: 16, textGrey: 70);
        string input = SyntheticDicom.Write(_directory, "dark-ct", [frame], SyntheticLayout.Mono12);

        var (result, cleaned) = await CleanAsync(input);

        var (outside, glyphsLeft) = Compare(await Oracles.ReadFramesAsync(input), await Oracles.ReadFramesAsync(cleaned), frame);
        output.WriteLine($"{result.Outcome}, {result.TextRegionsFound} lines, {result.TextureRegions} texture regions; {outside} pixels changed outside the text, {glyphsLeft} glyph pixels left");
        Assert.Equal(PixelOutcome.Cleaned, result.Outcome);
        Assert.Equal(0, glyphsLeft);
        Assert.True(outside < 512 * 512 / 100, $"{outside} pixels changed outside the text boxes");
    }

    // The font sizes (DejaVu Sans, px) at which a lone "R" in a black corner is read and blanked whole under pixel-text=all:
    // it is detected at every size tried, read with confidence under 0.8 below 48 px, and at 56 px one anti-aliased edge
    // pixel stays. A lone "L" is not detected at any size tried (docs/pixels.md, known limits).
    private static readonly int[] LoneRFound = [48, 64, 80];

    [Fact]
    public async Task A_lone_laterality_letter_is_blanked_only_at_the_sizes_documented_and_otherwise_left_unchanged()
    {
        int[] sizes = [16, 24, 32, 40, 48, 56, 64, 80];
        var found = new Dictionary<string, List<int>> { ["L"] = [], ["R"] = [] };
        var outcomes = new List<(PixelOutcome Outcome, int Outside)>();
        foreach (string letter in found.Keys)
        {
            foreach (int size in sizes)
            {
                var frame = TexturedFrame.Render(Texture.Speckle, 640, 480, lines: [(letter, 560, 450)], fontSize: size);
                string input = SyntheticDicom.Write(_directory, $"lone-{letter}-{size}", [frame], SyntheticLayout.Mono8);

                var (result, cleaned) = await CleanAsync(input);

                var (outside, glyphsLeft) = Compare(await Oracles.ReadFramesAsync(input), await Oracles.ReadFramesAsync(cleaned), frame);
                output.WriteLine($"{letter} at {size} px: {result.Outcome}, {result.TextRegionsFound} lines, {result.TextureRegions} texture regions; {glyphsLeft} glyph pixels left, {outside} pixels changed outside");
                if (result.Outcome == PixelOutcome.Cleaned && glyphsLeft == 0) found[letter].Add(size);
                outcomes.Add((result.Outcome, outside));
            }
        }
        output.WriteLine($"found: L at {string.Join(", ", found["L"])}; R at {string.Join(", ", found["R"])}");
        // A letter not found leaves the frame as it was: examined, no pixel changed.
        Assert.All(outcomes.Where(o => o.Outcome != PixelOutcome.Cleaned), o => Assert.Equal((PixelOutcome.Examined, 0), o));
        Assert.Empty(found["L"]);
        Assert.Equal(LoneRFound, found["R"]);
    }

    [Fact]
    public async Task A_file_whose_text_is_still_read_after_the_last_round_is_quarantined_and_not_marked()
    {
        var frame = TexturedFrame.Render(Texture.Speckle, 640, 480, lines:
            [("DOE^JANE MARIA", 10, 28), ("ID 84736251", 10, 60), ("DOB 1971-03-14", 430, 28), ("ST ELSEWHERE", 10, 465)], fontSize: 20);
        string input = SyntheticDicom.Write(_directory, "late-lines", [frame], SyntheticLayout.Mono8);
        var cleaner = new PixelCleaner(new OneMoreLineEachPass(fixture.Detector, frame.TextBoxes), fixture.Recognizer, new PixelCleanerOptions());
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => cleaner.CleanAsync(file));

        output.WriteLine(error.Message);
        Assert.Equal(DeidentificationFailure.BurnedInTextRemains, error.Failure);
        Assert.Null(file.Dataset.GetAsciiString(BurnedInAnnotation));
    }

    [Fact]
    public async Task A_line_the_detector_cuts_short_is_read_on_past_its_crop_and_blanked_whole()
    {
        var frame = TexturedFrame.Render(Texture.Speckle, 640, 480, lines: [("PATIENT DOE^JANE MARIA 1971-03-14", 40, 240)], fontSize: 20);
        string input = SyntheticDicom.Write(_directory, "cut-line", [frame], SyntheticLayout.Mono8);

        var (result, cleaned) = await CleanAsync(input, new MiddleOfEachLineOnce(fixture.Detector));

        var (outside, glyphsLeft) = Compare(await Oracles.ReadFramesAsync(input), await Oracles.ReadFramesAsync(cleaned), frame);
        output.WriteLine($"{result.Outcome}, {result.TextRegionsFound} lines; {outside} pixels changed outside the text box, {glyphsLeft} glyph pixels left");
        Assert.Equal(PixelOutcome.Cleaned, result.Outcome);
        Assert.Equal(0, glyphsLeft);
        Assert.True(outside < 640 * 480 / 100, $"{outside} pixels changed outside the text box");
    }

    [Theory]
    [InlineData("modality/CT/SignedCT.dcm")] // a rib in cross-section reads "0" at 0.95 and 0.98: a lone ring is texture
    [InlineData("private/ge/GH1308_GE_CT_ADVAPP.dcm")]
    public async Task A_real_CT_slice_without_text_keeps_every_pixel_when_every_image_is_a_candidate(string relativePath)
    {
        string input = Corpus.Get(relativePath).FullPath;
        var options = new PixelCleanerOptions { CandidateRule = new CandidateRule { EveryImage = true } };

        var (result, cleaned) = await CleanAsync(input, fixture.Detector, options);

        output.WriteLine($"{relativePath}: {result.Outcome}, {result.TextRegionsFound} lines, {result.TextureRegions} texture regions");
        Assert.Equal(PixelOutcome.Examined, result.Outcome);
        Assert.Equal((await Oracles.ReadFramesAsync(input)).Frames[0], (await Oracles.ReadFramesAsync(cleaned)).Frames[0]);
    }

    [Fact]
    public async Task A_region_thicker_than_a_quarter_of_the_frame_is_not_blanked_as_text()
    {
        // The overlay test image: one line of text in the pixels; verification once read a character in a region of the
        // dark frame beside the fresh black box and blanked 48,870 pixels a frame for it.
        string input = Corpus.Get("overlay/ovly_p01.dcm").FullPath;

        var (result, _) = await CleanAsync(input);

        output.WriteLine($"{result.Outcome}, {result.TextRegionsFound} lines, {result.PixelsBlankedPerFrame} pixels blanked a frame");
        Assert.Equal(PixelOutcome.Cleaned, result.Outcome);
        Assert.All(result.BlankedBoxes, box => Assert.True(box.Height <= 512 / 4, $"blanked {box}"));
        Assert.True(result.PixelsBlankedPerFrame < 10_000, $"{result.PixelsBlankedPerFrame} pixels blanked a frame");
    }

    private async Task<(PixelCleaningResult Result, string Cleaned)> CleanAsync(string input, ITextDetector? detector = null, PixelCleanerOptions? options = null)
    {
        var cleaner = new PixelCleaner(detector ?? fixture.Detector, fixture.Recognizer, options ?? new PixelCleanerOptions());
        string cleaned = Path.Combine(_directory, Path.GetFileNameWithoutExtension(input) + ".cleaned.dcm");
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);
        var result = await cleaner.CleanAsync(file);
        await using var target = File.Create(cleaned);
        await file.SaveAsync(target);
        return (result, cleaned);
    }

    /// <summary>Samples changed outside the text lines' boxes, and glyph pixels left anything but black.</summary>
    internal static (int Outside, int GlyphsLeft) Compare(PixelFrames before, PixelFrames after, SyntheticFrame truth)
    {
        var module = after.Module;
        var boxes = new BlankMask(module.Columns, module.Rows);
        foreach (var box in truth.TextBoxes) boxes.Add(box);
        int outside = 0, glyphsLeft = 0;
        for (int pixel = 0; pixel < module.PixelsPerFrame; pixel++)
        {
            bool changed = false, black = true;
            for (int s = 0; s < module.SamplesPerPixel; s++)
            {
                int value = FrameRenderer.Sample(after.Frames[0], module, pixel, s);
                changed |= value != FrameRenderer.Sample(before.Frames[0], before.Module, pixel, s);
                black &= value == 0;
            }
            if (changed && !boxes[pixel % module.Columns, pixel / module.Columns]) outside++;
            if (truth.Glyphs[pixel] && !black) glyphsLeft++;
        }
        return (outside, glyphsLeft);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// The real detector's regions, of which the n-th call keeps only those on the first n text lines: a detector whose
    /// view of the frame changes after each blanking, so that a new line is read outside the blanked area every round.
    /// </summary>
    /// <summary>
    /// The real detector's regions cut to their middle third, and nothing after the first call: a detector that finds
    /// only the middle of each line, so that only reading on past the crop can blank the line's ends.
    /// </summary>
    private sealed class MiddleOfEachLineOnce(ITextDetector inner) : ITextDetector
    {
        private bool _called;

        public IReadOnlyList<PixelRegion> Detect(RgbImage image, int enlargeTo, float minimumScore)
        {
            if (_called) return [];
            _called = true;
            return [.. inner.Detect(image, enlargeTo, minimumScore).Select(region => region with { X = region.X + region.Width / 3, Width = region.Width / 3 })];
        }
    }

    private sealed class OneMoreLineEachPass(ITextDetector inner, List<PixelRegion> lines) : ITextDetector
    {
        private int _calls;

        public IReadOnlyList<PixelRegion> Detect(RgbImage image, int enlargeTo, float minimumScore)
        {
            var seen = lines.Take(++_calls).ToList();
            return [.. inner.Detect(image, enlargeTo, minimumScore).Where(region => seen.Any(line => Overlap(region, line)))];
        }

        private static bool Overlap(PixelRegion a, PixelRegion b) => a.X < b.Right && b.X < a.Right && a.Y < b.Bottom && b.Y < a.Bottom;
    }
}
