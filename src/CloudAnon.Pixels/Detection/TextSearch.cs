using System.Diagnostics;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Runs the detector over a file's frames: every frame of a single-frame image; for multi-frame, the first, middle and
/// last frames and their composite (their mean: banners and overlays that stay put), so the cost
/// does not grow with the number of frames. Gives the union of the regions found. Enforces the time budget.
/// </summary>
internal sealed class TextSearch(ITextDetector detector, Stopwatch clock, TimeSpan budget)
{
    public List<PixelRegion> Find(PixelFrames frames, PaletteLut? palette, float minimumScore)
    {
        var module = frames.Module;
        var sampled = SampledFrames(frames.Frames.Length).Select(i => FrameRenderer.Render(frames.Frames[i], module, palette)).ToList();
        var images = sampled.Count > 1 ? [.. sampled, Composite(sampled)] : sampled;
        var found = new List<PixelRegion>();
        foreach (var image in images)
        {
            found.AddRange(detector.Detect(image, minimumScore));
            if (clock.Elapsed > budget)
            {
                throw new DeidentificationException(DeidentificationFailure.PixelDetectionTimedOut, $"Text detection took longer than its budget of {budget.TotalSeconds:0} s.");
            }
        }
        return found;
    }

    private static IEnumerable<int> SampledFrames(int count) => new[] { 0, count / 2, count - 1 }.Distinct();

    /// <summary>
    /// The per-pixel mean of the sampled frames: what stays put (banners, overlays) stays crisp while the live image
    /// blurs, so text drawn over a changing image stands out without the hard edges a cut-out would add.
    /// </summary>
    private static RgbImage Composite(List<RgbImage> images)
    {
        var composite = new byte[images[0].Pixels.Length];
        for (int i = 0; i < composite.Length; i++)
        {
            int sum = 0;
            foreach (var image in images) sum += image.Pixels[i];
            composite[i] = (byte)(sum / images.Count);
        }
        return new RgbImage(images[0].Width, images[0].Height, composite);
    }
}
