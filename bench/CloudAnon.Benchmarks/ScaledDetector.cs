using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Benchmarks;

/// <summary>
/// The detector at one scale whatever the search asks for (0: each image at its own size), counting the regions it gives:
/// to measure what each scale finds through the cleaner's own search.
/// </summary>
internal sealed class ScaledDetector(ITextDetector detector, int enlargeTo) : ITextDetector
{
    public int Regions { get; private set; }

    public IReadOnlyList<PixelRegion> Detect(RgbImage image, int ignored, float minimumScore = DetectionScores.Blank)
    {
        var regions = detector.Detect(image, enlargeTo, minimumScore);
        Regions += regions.Count;
        return regions;
    }
}
