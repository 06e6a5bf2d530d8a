namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Text regions in the detector's probability map: connected regions (8-neighbours) above the threshold, scored by their
/// mean probability. They are the shrunk cores of text (DB method), so each is enlarged ("unclipped") as PaddleOCR does,
/// by area × 1.5 / perimeter, plus a reading margin, and scaled back to image coordinates.
/// </summary>
internal static class TextRegions
{
    private const float Threshold = 0.3f;
    private const double UnclipRatio = 1.5;

    // Pixels added on each side of a region as context for the recogniser (without it, lines and single letters read
    // worse). The glyphs lie inside the region without it: that is what is blanked (<see cref="WithoutMargin"/>).
    private const int Margin = 2;

    public static List<PixelRegion> Find(ReadOnlySpan<float> map, DetectionInput input, int imageWidth, int imageHeight, float minimumScore)
    {
        int stride = input.PaddedWidth, width = input.Width, height = input.Height;
        double scaleX = imageWidth / (double)width, scaleY = imageHeight / (double)height;
        var regions = new List<PixelRegion>();
        var seen = new bool[stride * height];
        var pending = new Stack<int>();
        for (int y0 = 0; y0 < height; y0++)
        {
            for (int x0 = 0; x0 < width; x0++)
            {
                int start = y0 * stride + x0;
                if (seen[start] || map[start] < Threshold) continue;
                int minX = x0, maxX = x0, minY = y0, maxY = y0, count = 0;
                double sum = 0;
                seen[start] = true;
                pending.Push(start);
                while (pending.TryPop(out int at))
                {
                    int x = at % stride, y = at / stride;
                    if (x < minX) minX = x; else if (x > maxX) maxX = x;
                    if (y > maxY) maxY = y; else if (y < minY) minY = y;
                    count++;
                    sum += map[at];
                    for (int ny = Math.Max(0, y - 1); ny <= Math.Min(height - 1, y + 1); ny++)
                    {
                        for (int nx = Math.Max(0, x - 1); nx <= Math.Min(width - 1, x + 1); nx++)
                        {
                            int next = ny * stride + nx;
                            if (seen[next] || map[next] < Threshold) continue;
                            seen[next] = true;
                            pending.Push(next);
                        }
                    }
                }
                int w = maxX - minX + 1, h = maxY - minY + 1;
                if (sum / count < minimumScore || Math.Min(w, h) < 2) continue;
                double grow = w * h * UnclipRatio / (2.0 * (w + h));
                int left = (int)Math.Floor((minX - grow) * scaleX) - Margin, top = (int)Math.Floor((minY - grow) * scaleY) - Margin;
                int right = (int)Math.Ceiling((maxX + 1 + grow) * scaleX) + Margin, bottom = (int)Math.Ceiling((maxY + 1 + grow) * scaleY) + Margin;
                var region = new PixelRegion(left, top, right - left, bottom - top).ClipTo(imageWidth, imageHeight);
                if (!region.IsEmpty) regions.Add(region);
            }
        }
        return regions;
    }

    /// <summary>
    /// A detected region without its reading margin: the unclipped text region, which holds the glyphs (measured: no glyph
    /// pixel outside it on the synthetic lines; blanking the margin too changed 1.4% of a 12-bit speckle frame outside four
    /// 20 px lines, against 0.6% without).
    /// </summary>
    public static PixelRegion WithoutMargin(PixelRegion region)
    {
        // A region cut to a sliver by the frame's edge keeps its pixels rather than vanishing (an empty one counts as covered).
        var inner = region.Inflate(-Margin);
        return inner.IsEmpty ? region : inner;
    }
}
