using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;
using CloudAnon.TestData;

namespace CloudAnon.Int8Detector;

/// <summary>
/// What a candidate graph finds against what a reference graph finds (the int8 graph against the fused float one, or
/// the fused graph against the graph as shipped), on <see cref="CalibrationImages"/>: per image and score, the regions
/// of each and the pixels inside reference regions that no candidate region covers ("missed") and the reverse
/// ("extra"); then every corpus file through the cleaner with each detector: the outcome and the pixels of the first
/// frame that one blanked and the other did not.
/// </summary>
internal static class Comparison
{
    public static async Task<int> RunAsync(string referenceName, Func<byte[], byte[]> referenceGraph, string candidateName, Func<byte[], byte[]> candidateGraph)
    {
        using var reference = OnnxTextDetector.Open(null, threads: 2, referenceGraph);
        using var candidate = OnnxTextDetector.Open(null, threads: 2, candidateGraph);
        using var recognizer = OnnxTextRecognizer.Open();
        var corpus = await CalibrationImages.CorpusAsync();
        var options = new PixelCleanerOptions();
        var images = CalibrationImages.Synthetic().Concat(corpus.Select(c => (c.File.RelativePath, c.Image))).ToList();

        Console.WriteLine($"| image | score | {referenceName} regions | {candidateName} regions | {referenceName} pixels | missed by {candidateName} | extra in {candidateName} | {referenceName} regions {candidateName} covers less than half of |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        long missedInTotal = 0, regionsMissedInTotal = 0;
        foreach (var (name, image) in images)
        {
            foreach (float score in new[] { DetectionScores.Blank, 0.7f })
            {
                var expectedRegions = reference.Detect(image, score);
                var foundRegions = candidate.Detect(image, score);
                var expected = Mask(image.Width, image.Height, expectedRegions);
                var found = Mask(image.Width, image.Height, foundRegions);
                var (missed, extra) = Difference(expected.Mask, found.Mask);
                var foundMask = new BlankMask(image.Width, image.Height);
                foreach (var region in foundRegions) foundMask.Add(region);
                int regionsMissed = expectedRegions.Count(r => foundMask.Coverage(r) < 0.5);
                missedInTotal += missed;
                regionsMissedInTotal += regionsMissed;
                Console.WriteLine($"| {name} | {score} | {expected.Regions} | {found.Regions} | {expected.Mask.Count(b => b)} | {missed} | {extra} | {regionsMissed} |");
            }
        }

        long missedByCleaner = await CompareCleanersAsync(corpus, (referenceName, new PixelCleaner(reference, recognizer, options)), (candidateName, new PixelCleaner(candidate, recognizer, options)));
        Console.WriteLine($"pixels {referenceName} marks and {candidateName} does not: {missedInTotal} by detection, {missedByCleaner} by the cleaner; {referenceName} regions {candidateName} covers less than half of: {regionsMissedInTotal}");
        return 0;
    }

    /// <summary>Each corpus file through two cleaners: their outcomes and the pixels of the first frame one blanked and the other did not; the pixels the first blanked and the second did not.</summary>
    private static async Task<long> CompareCleanersAsync(List<(CorpusFile File, RgbImage Image)> corpus, (string Name, PixelCleaner Cleaner) reference, (string Name, PixelCleaner Cleaner) candidate)
    {
        Console.WriteLine();
        Console.WriteLine($"| corpus file | {reference.Name}: outcome | {candidate.Name}: outcome | blanked by {reference.Name}, not by {candidate.Name} | by {candidate.Name}, not by {reference.Name} |");
        Console.WriteLine("|---|---|---|---|---|");
        long missedInTotal = 0;
        foreach (var (file, original) in corpus)
        {
            var (referenceOutcome, referenceChanged) = await CleanAsync(file, reference.Cleaner, original);
            var (candidateOutcome, candidateChanged) = await CleanAsync(file, candidate.Cleaner, original);
            var (missed, extra) = Difference(referenceChanged, candidateChanged);
            missedInTotal += missed;
            Console.WriteLine($"| {file.RelativePath} | {referenceOutcome} | {candidateOutcome} | {missed} | {extra} |");
        }
        return missedInTotal;
    }

    private static (int Regions, bool[] Mask) Mask(int width, int height, IReadOnlyList<PixelRegion> regions)
    {
        var mask = new BlankMask(width, height);
        foreach (var region in regions) mask.Add(region);
        var pixels = new bool[width * height];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = mask[i % width, i / width];
        return (regions.Count, pixels);
    }

    private static (long Missed, long Extra) Difference(bool[] expected, bool[] found)
    {
        long missed = 0, extra = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] && !found[i]) missed++;
            if (found[i] && !expected[i]) extra++;
        }
        return (missed, extra);
    }

    /// <summary>The cleaner's outcome on the file, and which pixels of its first frame it changed.</summary>
    private static async Task<(string Outcome, bool[] Changed)> CleanAsync(CorpusFile corpusFile, PixelCleaner cleaner, RgbImage original)
    {
        var changed = new bool[original.Width * original.Height];
        await using var stream = File.OpenRead(corpusFile.FullPath);
        using var file = await DicomFile.OpenAsync(stream);
        try
        {
            var result = await cleaner.CleanAsync(file);
            var frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 28, CancellationToken.None);
            var palette = frames.Module.Photometric == Photometric.PaletteColor ? await PaletteLut.ReadAsync(file.Dataset, CancellationToken.None) : null;
            var after = FrameRenderer.Render(frames.Frames[0], frames.Module, palette);
            for (int p = 0; p < changed.Length; p++)
            {
                changed[p] = !after.Pixels.AsSpan(p * 3, 3).SequenceEqual(original.Pixels.AsSpan(p * 3, 3));
            }
            return ($"cleaned, {result.TextRegionsFound} regions, {result.PixelsBlankedPerFrame} pixels", changed);
        }
        catch (DeidentificationException e)
        {
            return ($"quarantined {e.Failure}", changed);
        }
    }
}
