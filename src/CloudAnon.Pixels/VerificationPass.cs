using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels;

/// <summary>
/// After blanking, finds and reads the text in the blanked frames again. A line to blank read outside the blanked area
/// is usually the rest of a line the first pass cut (blanking changes what the detector sees around it): it is blanked
/// too, for a few rounds. Such a line still read after the last round quarantines the file rather than passing it.
/// Each round looks at the whole image, not only around the blanked boxes: the detector's global pooling makes its
/// output anywhere depend on every pixel (blanking the Acuson file's boxes turned regions 160 px away from any changed
/// pixel from 0 to 1), so outside the boxes the first pass's "no text" does not carry over. What the detector finds
/// after blanking but the recogniser reads as nothing (texture scored anew beside fresh black boxes) is neither blanked
/// nor held against the file.
/// </summary>
internal static class VerificationPass
{
    private const int Rounds = 3;

    // A line read again must lie at least this much inside the blanked area to count as already handled.
    private const double RequiredCoverage = 0.5;

    /// <param name="toBlank">Which lines the policy blanks: every line, or those that identify.</param>
    public static void BlankAndVerify(TextSearch search, PixelFrames frames, PaletteLut? palette, BlankMask mask, Func<PixelText, bool> toBlank, Action blank)
    {
        for (int round = 1; ; round++)
        {
            blank();
            var remaining = search.Find(frames, palette, mask).Texts
                .Where(text => toBlank(text) && mask.Coverage(text.Box) < RequiredCoverage)
                .ToList();
            if (remaining.Count == 0) return;
            if (round == Rounds)
            {
                throw new DeidentificationException(DeidentificationFailure.BurnedInTextRemains, $"After {Rounds} rounds of blanking, {remaining.Count} line(s) of text were still read outside the blanked area: {string.Join("; ", remaining.Select(text => text.Box))}.");
            }
            foreach (var text in remaining) mask.Add(text.Box);
        }
    }
}
