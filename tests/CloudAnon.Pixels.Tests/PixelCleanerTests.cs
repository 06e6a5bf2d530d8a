using CloudAnon.Dicom;
using CloudAnon.Pixels.Detection;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// The cleaner on synthetic frames with rendered identifying text, in every supported transfer syntax: glyph pixels are
/// black afterwards, nothing changes outside the text (allowing a band around each line for the detector's enlarged
/// boxes), a second detector pass finds nothing, and DCMTK and dciodvfy read the output with no new errors.
/// </summary>
[Collection(DetectorCollection.Name)]
public sealed class PixelCleanerTests(DetectorFixture fixture, ITestOutputHelper output) : IDisposable
{
    // The detector's boxes are enlarged cores of text (about 0.75 × the line height plus a margin on each side).
    private const int AllowedBand = 16;
    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-pixels-").FullName;

    public static TheoryData<string, SyntheticLayout, bool, int> Cases => new()
    {
        { "1.2.840.10008.1.2.1", SyntheticLayout.Mono8, true, 1 },
        { "1.2.840.10008.1.2.1", SyntheticLayout.Rgb8, false, 1 },
        { "1.2.840.10008.1.2", SyntheticLayout.Mono12, false, 1 },
        { "1.2.840.10008.1.2.2", SyntheticLayout.Mono12, true, 1 },
        { "1.2.840.10008.1.2.1.99", SyntheticLayout.Rgb8, true, 1 },
        { "1.2.840.10008.1.2.5", SyntheticLayout.Rgb8, true, 3 },
        { "1.2.840.10008.1.2.5", SyntheticLayout.Mono12, false, 1 },
        { "1.2.840.10008.1.2.4.50", SyntheticLayout.Rgb8, true, 3 },
        { "1.2.840.10008.1.2.4.50", SyntheticLayout.Mono8, false, 1 },
        { "1.2.840.10008.1.2.4.51", SyntheticLayout.Mono12, true, 1 },
        { "1.2.840.10008.1.2.4.70", SyntheticLayout.Mono8, true, 1 },
        { "1.2.840.10008.1.2.4.70", SyntheticLayout.Rgb8, false, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Text_is_blanked_and_nothing_else_changes(string syntax, SyntheticLayout layout, bool lightOnDark, int frameCount)
    {
        var frames = Enumerable.Range(1, frameCount).Select(seed => SyntheticFrame.Render(640, 480, lightOnDark, seed, colour: layout == SyntheticLayout.Rgb8)).ToList();
        string input = SyntheticDicom.Write(_directory, $"in-{layout}-{frameCount}", frames, layout, syntax);
        string cleaned = Path.Combine(_directory, "cleaned.dcm");

        var result = await CleanAsync(input, cleaned);
        output.WriteLine($"{result}");

        Assert.True(result.Cleaned);
        Assert.True(result.TextRegionsFound >= SyntheticFrame.IdentifyingLines.Length);
        var (header, outputSyntax) = await Oracles.ReadHeaderAsync(cleaned);
        Assert.Equal("NO", header.GetAsciiString(new DicomTag(0x0028, 0x0301)));
        bool encapsulated = syntax is "1.2.840.10008.1.2.5" or "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.70";
        Assert.Equal(encapsulated ? "1.2.840.10008.1.2.5" : syntax, outputSyntax);

        var before = await Oracles.ReadFramesAsync(input);
        var after = await Oracles.ReadFramesAsync(cleaned);
        Assert.Equal(frameCount, after.Frames.Length);
        for (int f = 0; f < frameCount; f++)
        {
            var (outside, glyphsLeft) = Compare(before, after, f, frames[f]);
            output.WriteLine($"frame {f}: {outside} pixels changed outside the text bands, {glyphsLeft} glyph pixels not black");
            Assert.Equal(0, outside);
            Assert.Equal(0, glyphsLeft);
            Assert.Empty(fixture.Detector.Detect(FrameRenderer.Render(after.Frames[f], after.Module, null)));
        }

        if (encapsulated)
        {
            // DCMTK decodes our RLE to exactly the frames we wrote.
            var byDcmtk = await Oracles.ReadFramesAsync(Oracles.DcmtkDecompress(cleaned, "dcmdrle", _directory));
            for (int f = 0; f < frameCount; f++) Assert.Equal(after.Frames[f], byDcmtk.Frames[f]);
        }
        Oracles.AssertDcmdumpReads(cleaned);
        var newErrors = Oracles.DciodvfyFindings(cleaned).Except(Oracles.DciodvfyFindings(input)).ToList();
        Assert.True(newErrors.Count == 0, "new dciodvfy errors: " + string.Join(" | ", newErrors));
    }

    [Fact]
    public async Task Detect_only_quarantines_a_file_with_text_and_leaves_it_unchanged()
    {
        string input = SyntheticDicom.Write(_directory, "detect-only", [SyntheticFrame.Render(640, 480, true)], SyntheticLayout.Mono8);
        var cleaner = new PixelCleaner(fixture.Detector, fixture.Recognizer, new PixelCleanerOptions { Mode = CleanPixelDataMode.DetectOnly });
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);
        var pixelData = file.Dataset.Find(DicomTag.PixelData);

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => cleaner.CleanAsync(file));

        Assert.Equal(DeidentificationFailure.BurnedInTextDetected, error.Failure);
        Assert.Same(pixelData, file.Dataset.Find(DicomTag.PixelData));
    }

    [Fact]
    public async Task A_ct_image_is_not_a_candidate_and_is_not_decoded()
    {
        string input = SyntheticDicom.Write(_directory, "ct", [SyntheticFrame.Render(64, 64, true)], SyntheticLayout.Mono12);
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);
        file.Dataset.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x0060), DicomVR.CS, "CT"));
        file.Dataset.Set(DicomValueElement.FromString(DicomTag.SopClassUid, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2"));

        var result = await new PixelCleaner(new ThrowingDetector(), fixture.Recognizer, new PixelCleanerOptions()).CleanAsync(file);

        Assert.Equal(CandidateReason.None, result.Candidate);
        Assert.False(result.Cleaned);
    }

    [Fact]
    public async Task A_time_budget_that_runs_out_quarantines()
    {
        string input = SyntheticDicom.Write(_directory, "budget", [SyntheticFrame.Render(640, 480, true)], SyntheticLayout.Mono8);
        var cleaner = new PixelCleaner(fixture.Detector, fixture.Recognizer, new PixelCleanerOptions { TimeBudget = TimeSpan.FromTicks(1) });
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);

        var error = await Assert.ThrowsAsync<DeidentificationException>(() => cleaner.CleanAsync(file));

        Assert.Equal(DeidentificationFailure.PixelDetectionTimedOut, error.Failure);
    }

    [Fact]
    public async Task The_device_signature_and_the_ultrasound_regions_are_blanked_too_and_what_lies_there_is_not_read()
    {
        var frame = SyntheticFrame.Render(640, 480, true);
        string input = SyntheticDicom.Write(_directory, "signature", [frame], SyntheticLayout.Mono8, manufacturer: SyntheticDicom.Manufacturer);
        string cleaned = Path.Combine(_directory, "signature-cleaned.dcm");
        var region = new DicomDataset();
        foreach (var (element, value) in new (ushort, int)[] { (0x6018, 100), (0x601A, 60), (0x601C, 539), (0x601E, 419) })
        {
            region.Set(new DicomValueElement(new DicomTag(0x0018, element), DicomVR.UL, BitConverter.GetBytes((uint)value)));
        }

        var result = await CleanAsync(input, cleaned, file => file.Dataset.Set(new DicomSequence(new DicomTag(0x0018, 0x6011), [region])));

        // The four lines lie outside the data region: blanked whatever they say, so found but not read.
        output.WriteLine($"{result}, {result.UnreadRegions} regions not read");
        Assert.True(result.Cleaned);
        Assert.Equal(0, result.TextRegionsFound);
        Assert.True(result.UnreadRegions >= SyntheticFrame.IdentifyingLines.Length);
        var before = SyntheticDicom.FrameSamples(frame, SyntheticLayout.Mono8);
        var after = (await Oracles.ReadFramesAsync(cleaned)).Frames[0];
        for (int y = 0; y < 480; y++)
        {
            for (int x = 0; x < 640; x++)
            {
                // signatures.txt blanks this device's top 24 rows and bottom-right 160 × 24; the data region is kept.
                bool inRegion = x is >= 100 and < 540 && y is >= 60 and < 420;
                if (!inRegion || y < 24 || (y >= 456 && x >= 480)) Assert.Equal(0, after[y * 640 + x]);
                else Assert.Equal(before[y * 640 + x], after[y * 640 + x]);
            }
        }
    }

    private async Task<PixelCleaningResult> CleanAsync(string input, string cleaned, Action<DicomFile>? prepare = null)
    {
        var cleaner = new PixelCleaner(fixture.Detector, fixture.Recognizer, new PixelCleanerOptions());
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);
        prepare?.Invoke(file);
        var result = await cleaner.CleanAsync(file);
        await using var target = File.Create(cleaned);
        await file.SaveAsync(target);
        return result;
    }

    /// <summary>Samples changed outside the bands around the text lines, and glyph pixels left anything but black.</summary>
    private static (int Outside, int GlyphsLeft) Compare(PixelFrames before, PixelFrames after, int frameIndex, SyntheticFrame truth)
    {
        var module = after.Module;
        var bands = new BlankMask(module.Columns, module.Rows);
        foreach (var box in truth.TextBoxes) bands.Add(box.Inflate(AllowedBand));
        int outside = 0, glyphsLeft = 0;
        for (int pixel = 0; pixel < module.PixelsPerFrame; pixel++)
        {
            int x = pixel % module.Columns, y = pixel / module.Columns;
            bool changed = false, black = true;
            for (int s = 0; s < module.SamplesPerPixel; s++)
            {
                int value = FrameRenderer.Sample(after.Frames[frameIndex], module, pixel, s);
                changed |= value != FrameRenderer.Sample(before.Frames[frameIndex], before.Module, pixel, s);
                black &= value == (module.Photometric == Photometric.YbrFull && s > 0 ? 128 : 0);
            }
            if (changed && !bands[x, y]) outside++;
            if (truth.Glyphs[pixel] && !black) glyphsLeft++;
        }
        return (outside, glyphsLeft);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class ThrowingDetector : ITextDetector
    {
        public IReadOnlyList<PixelRegion> Detect(RgbImage image, int enlargeTo, float minimumScore) => throw new InvalidOperationException("A file that is not a candidate must not reach the detector.");
    }
}
