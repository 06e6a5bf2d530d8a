namespace CloudAnon.Pixels.Detection;

/// <summary>Finds text in an image: rectangles that cover each line or word found, in image coordinates.</summary>
public interface ITextDetector
{
    /// <summary>Regions whose mean text probability is at least <paramref name="minimumScore"/> (0–1).</summary>
    IReadOnlyList<PixelRegion> Detect(RgbImage image, float minimumScore = DetectionScores.Blank);
}

/// <summary>
/// Region scores: the search takes any region at least fairly likely to be text; the recogniser then tells text from
/// texture, in the first pass and in verification alike.
/// </summary>
public static class DetectionScores
{
    public const float Blank = 0.5f;
}
