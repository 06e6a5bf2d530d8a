namespace CloudAnon.Pixels.Detection;

/// <summary>Finds text in an image: rectangles that cover each line or word found, in image coordinates.</summary>
public interface ITextDetector
{
    IReadOnlyList<PixelRegion> Detect(RgbImage image);
}
