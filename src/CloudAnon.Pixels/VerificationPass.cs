using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels;

/// <summary>
/// After blanking, looks for text again on the blanked frames. Text found outside the blanked area is usually the rest
/// of a line the first pass cut (blanking changes what the detector sees around it): it is blanked too, for a few rounds.
/// Text still found after the last round quarantines the file rather than passing it.
/// </summary>
internal static class VerificationPass
{
    private const int Rounds = 3;

    // A region found again must lie at least this much inside the blanked area to count as already handled.
    private const double RequiredCoverage = 0.5;

    // Burned-in text comes in lines; a region taller than this is image texture (speckle) the detector scores once the
    // blanking has changed its surroundings, seen on real ultrasound: it is neither blanked nor held against the file.
    private const int MinimumMaxLineHeight = 48;

    public static void BlankAndVerify(TextSearch search, PixelFrames frames, PaletteLut? palette, BlankMask mask, Action blank)
    {
        for (int round = 1; ; round++)
        {
            blank();
            int maxLineHeight = Math.Max(MinimumMaxLineHeight, frames.Module.Rows / 8);
            var remaining = search.Find(frames, palette, DetectionScores.Verify)
                .Where(region => region.Height <= maxLineHeight && mask.Coverage(region) < RequiredCoverage)
                .ToList();
            if (remaining.Count == 0) return;
            if (round == Rounds)
            {
                throw new PixelDataException(PixelFailure.TextRemains, $"After {Rounds} rounds of blanking, {remaining.Count} text region(s) were still found outside the blanked area: {string.Join("; ", remaining)}.");
            }
            foreach (var region in remaining) mask.Add(region);
        }
    }
}
