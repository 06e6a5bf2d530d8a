namespace CloudAnon.Pixels.Detection;

/// <summary>Finds text in an image: rectangles that cover each line or word found, in image coordinates.</summary>
public interface ITextDetector
{
    /// <summary>Regions whose mean text probability is at least <paramref name="minimumScore"/> (0–1).</summary>
    IReadOnlyList<PixelRegion> Detect(RgbImage image, float minimumScore = DetectionScores.Blank);
}

/// <summary>
/// Region scores: blanking takes anything at least fairly likely to be text; the verification pass after blanking asks
/// for more, because blanking itself leaves new edges that faint, text-like structure near them scores on.
/// </summary>
public static class DetectionScores
{
    public const float Blank = 0.5f;
    public const float Verify = 0.7f;
}
