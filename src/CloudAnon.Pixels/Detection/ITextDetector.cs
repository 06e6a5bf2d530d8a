namespace CloudAnon.Pixels.Detection;

/// <summary>Finds text in an image: rectangles that cover each line or word found, in image coordinates.</summary>
public interface ITextDetector
{
    /// <summary>
    /// Regions whose mean text probability is at least <paramref name="minimumScore"/> (0–1), an image with a shorter long
    /// side than <paramref name="enlargeTo"/> detected enlarged to it (<see cref="DetectionScales"/>).
    /// </summary>
    IReadOnlyList<PixelRegion> Detect(RgbImage image, int enlargeTo, float minimumScore = DetectionScores.Blank);
}

/// <summary>The long sides small images are enlarged to before detection.</summary>
public static class DetectionScales
{
    /// <summary>
    /// Every pass, first and verification: the detector misses most lines of 8–10 px glyphs at their own size (256 × 256
    /// MR, thumbnails). What each scale finds on the public evaluation set is in docs/measurements.md.
    /// </summary>
    public const int First = 640;
}

/// <summary>
/// Region scores: the search takes any region at least fairly likely to be text; the recogniser then tells text from
/// texture, in the first pass and in verification alike.
/// </summary>
public static class DetectionScores
{
    public const float Blank = 0.5f;
}
