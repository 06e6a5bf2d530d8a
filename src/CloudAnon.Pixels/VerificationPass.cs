using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels;

/// <summary>
/// After blanking, looks for text again on the blanked frames. Text found outside the blanked area is usually the rest
/// of a line the first pass cut (blanking changes what the detector sees around it): it is blanked too, for a few rounds.
/// Text still found after the last round quarantines the file rather than passing it.
/// Each round looks at the whole image, not only around the blanked boxes: the detector's global pooling makes its
/// output anywhere depend on every pixel (blanking the Acuson file's boxes turned regions 160 px away from any changed
/// pixel from 0 to 1), so outside the boxes the first pass's "no text" does not carry over.
/// </summary>
internal static class VerificationPass
{
    private const int Rounds = 3;

    // A region found again must lie at least this much inside the blanked area to count as already handled.
    private const double RequiredCoverage = 0.5;

    // Burned-in text comes in lines, wider than tall. After blanking, the detector also scores blobs of image texture
    // (ultrasound speckle, up to the whole anatomy) as text: its global pooling layers see every pixel, so fresh black
    // boxes change its view of the whole image. Those blobs, measured on the corpus, are taller than an eighth of the
    // image and at most 1.5 times as wide as tall; a line of three or more characters is at least twice as wide as tall
    // ("DOE" at 96 px: 209 × 87). A region both tall and not line-shaped is taken for texture: neither blanked nor held
    // against the file. Large text lines stay held (and the first pass, which blanks all it finds, has no such filter).
    private const int MinimumMaxLineHeight = 48;
    private const double MinimumLineAspect = 2.0;

    public static void BlankAndVerify(TextSearch search, PixelFrames frames, PaletteLut? palette, BlankMask mask, Action blank)
    {
        for (int round = 1; ; round++)
        {
            blank();
            var remaining = search.Find(frames, palette, DetectionScores.Verify)
                .Where(region => !IsImageTexture(region, frames.Module.Rows) && mask.Coverage(region) < RequiredCoverage)
                .ToList();
            if (remaining.Count == 0) return;
            if (round == Rounds)
            {
                throw new DeidentificationException(DeidentificationFailure.BurnedInTextRemains, $"After {Rounds} rounds of blanking, {remaining.Count} text region(s) were still found outside the blanked area: {string.Join("; ", remaining)}.");
            }
            foreach (var region in remaining) mask.Add(region);
        }
    }

    internal static bool IsImageTexture(PixelRegion region, int rows) =>
        region.Height > Math.Max(MinimumMaxLineHeight, rows / 8) && region.Width < MinimumLineAspect * region.Height;
}
