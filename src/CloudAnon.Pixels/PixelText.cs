using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels;

/// <summary>
/// A line of text read in the pixels. <see cref="Box"/> is what blanking it takes: the recognised span from the first
/// character to the last, widened on each side by half the line's height (the recogniser places characters to within a
/// sixth of the line height, and a glyph reaches up to about a third of the height either side of where it is read),
/// over the rows of the detected region. A vertical line (read turned) is blanked over its detected region and the span
/// along it. The text is PHI: it is matched, never logged or reported.
/// </summary>
internal sealed record PixelText(PixelRegion Box, string Text, float Confidence)
{
    public static PixelText Of(RecognizedText read, PixelRegion detected)
    {
        if (IsVertical(detected)) return new PixelText(Union(detected, read.Span), read.Text, read.MeanConfidence);
        int margin = (detected.Height + 1) / 2;
        var span = read.Span;
        return new PixelText(new PixelRegion(span.X - margin, detected.Y, span.Width + 2 * margin, detected.Height), read.Text, read.MeanConfidence);
    }

    /// <summary>Whether the recogniser reads the region turned a quarter (PaddleOCR's rule: at least 1.5 times taller than wide).</summary>
    public static bool IsVertical(PixelRegion region) => region.Height >= 1.5 * region.Width;

    private static PixelRegion Union(PixelRegion a, PixelRegion b)
    {
        int x = Math.Min(a.X, b.X), y = Math.Min(a.Y, b.Y);
        return new PixelRegion(x, y, Math.Max(a.Right, b.Right) - x, Math.Max(a.Bottom, b.Bottom) - y);
    }
}
