using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels;

/// <summary>
/// A line of text read in the pixels. <see cref="Box"/> is what blanking it takes: the recognised span from the first
/// character to the last, over the rows of the detected region without its reading margin, widened by a quarter of that
/// height on the left and 0.4 of it on the right. The span runs from the first step the first character is read at to the last step the
/// last character is read at; both lie inside their glyphs, and the last glyph reaches further past its last step than
/// the first glyph reaches before its first (measured on DejaVu lines over texture: up to 0.17 and 0.33 of the height). A vertical line (read turned) is blanked over its detected region and the span
/// along it. The text is PHI: it is matched, never logged or reported.
/// </summary>
internal sealed record PixelText(PixelRegion Box, string Text, float Confidence)
{
    public static PixelText Of(RecognizedText read, PixelRegion detected)
    {
        if (IsVertical(detected)) return new PixelText(Union(detected, read.Span), read.Text, read.MeanConfidence);
        var rows = TextRegions.WithoutMargin(detected);
        int before = (rows.Height + 3) / 4, after = (int)Math.Ceiling(0.4 * rows.Height);
        var span = read.Span;
        return new PixelText(new PixelRegion(span.X - before, rows.Y, span.Width + before + after, rows.Height), read.Text, read.MeanConfidence);
    }

    /// <summary>Whether the recogniser reads the region turned a quarter (PaddleOCR's rule: at least 1.5 times taller than wide).</summary>
    public static bool IsVertical(PixelRegion region) => region.Height >= 1.5 * region.Width;

    private static PixelRegion Union(PixelRegion a, PixelRegion b)
    {
        int x = Math.Min(a.X, b.X), y = Math.Min(a.Y, b.Y);
        return new PixelRegion(x, y, Math.Max(a.Right, b.Right) - x, Math.Max(a.Bottom, b.Bottom) - y);
    }
}
