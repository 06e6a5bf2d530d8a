using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;
using CloudAnon.TestData;

namespace CloudAnon.Int8Detector;

/// <summary>
/// The images calibration measures and comparison checks: the Pixels tests' synthetic frames (640 × 480 and
/// 1024 × 768, light on dark and dark on light, monochrome and colour, two seeds; each also with its text blanked, as
/// verification sees it) and the first frame of every corpus file the default candidate rule picks whose pixels decode.
/// </summary>
internal static class CalibrationImages
{
    public static IEnumerable<(string Name, RgbImage Image)> Synthetic()
    {
        foreach (var (width, height) in new[] { (640, 480), (1024, 768) })
        {
            foreach (bool lightOnDark in new[] { true, false })
            {
                foreach (bool colour in new[] { false, true })
                {
                    foreach (int seed in new[] { 1, 2 })
                    {
                        string name = $"synthetic {width}x{height} {(lightOnDark ? "light on dark" : "dark on light")} {(colour ? "colour" : "mono")} seed {seed}";
                        var frame = SyntheticFrame.Render(width, height, lightOnDark, seed, colour);
                        yield return (name, new RgbImage(width, height, frame.Rgb));
                        var blanked = (byte[])frame.Rgb.Clone();
                        foreach (var box in frame.TextBoxes.Select(b => b.Inflate(8).ClipTo(width, height)))
                        {
                            for (int y = box.Y; y < box.Bottom; y++) blanked.AsSpan((y * width + box.X) * 3, box.Width * 3).Clear();
                        }
                        yield return (name + ", text blanked", new RgbImage(width, height, blanked));
                    }
                }
            }
        }
    }

    /// <summary>The corpus files the default candidate rule picks and the cleaner can decode, with their first frame.</summary>
    public static async Task<List<(CorpusFile File, RgbImage Image)>> CorpusAsync()
    {
        var images = new List<(CorpusFile, RgbImage)>();
        var rule = new CandidateRule();
        foreach (var corpusFile in Corpus.WellFormed)
        {
            try
            {
                await using var stream = File.OpenRead(corpusFile.FullPath);
                using var file = await DicomFile.OpenAsync(stream);
                if (rule.Evaluate(file.Dataset) == CandidateReason.None) continue;
                var frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 28, CancellationToken.None);
                var palette = frames.Module.Photometric == Photometric.PaletteColor ? await PaletteLut.ReadAsync(file.Dataset, CancellationToken.None) : null;
                images.Add((corpusFile, FrameRenderer.Render(frames.Frames[0], frames.Module, palette)));
            }
            catch (Exception e) when (e is DeidentificationException or DicomFormatException)
            {
                Console.WriteLine($"skipped {corpusFile.RelativePath}: {e.GetType().Name}");
            }
        }
        return images;
    }
}
