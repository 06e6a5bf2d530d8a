using System.Diagnostics;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Runs the detector over a file's frames: every frame of a single-frame image; for multi-frame, the first, middle and
/// last frames and a composite of what does not change between them (banners and overlays that stay put), so the cost
/// does not grow with the number of frames. Gives the union of the regions found. Enforces the time budget.
/// </summary>
internal sealed class TextSearch(ITextDetector detector, Stopwatch clock, TimeSpan budget)
{
    public List<PixelRegion> Find(PixelFrames frames, PaletteLut? palette)
    {
        var module = frames.Module;
        var sampled = SampledFrames(frames.Frames.Length).Select(i => FrameRenderer.Render(frames.Frames[i], module, palette)).ToList();
        var images = sampled.Count > 1 ? [.. sampled, Composite(sampled)] : sampled;
        var found = new List<PixelRegion>();
        foreach (var image in images)
        {
            found.AddRange(detector.Detect(image));
            if (clock.Elapsed > budget)
            {
                throw new PixelDataException(PixelFailure.TimeBudgetExceeded, $"Text detection took longer than its budget of {budget.TotalSeconds:0} s.");
            }
        }
        return found;
    }

    private static IEnumerable<int> SampledFrames(int count) => new[] { 0, count / 2, count - 1 }.Distinct();

    /// <summary>Pixels equal in every sampled frame keep their colour; pixels that change (the live image) go black.</summary>
    private static RgbImage Composite(List<RgbImage> images)
    {
        var first = images[0].Pixels;
        var composite = new byte[first.Length];
        for (int i = 0; i < first.Length; i += 3)
        {
            bool still = images.All(image => image.Pixels[i] == first[i] && image.Pixels[i + 1] == first[i + 1] && image.Pixels[i + 2] == first[i + 2]);
            if (still) first.AsSpan(i, 3).CopyTo(composite.AsSpan(i));
        }
        return new RgbImage(images[0].Width, images[0].Height, composite);
    }
}
