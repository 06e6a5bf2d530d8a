using CloudAnon.Pixels.Detection;

namespace CloudAnon.Pixels;

/// <summary>
/// After blanking, looks for text again on the blanked frames: a region found that is not (mostly) inside the blanked
/// area means text the first pass missed or cut, and the file is quarantined rather than passed.
/// </summary>
internal static class VerificationPass
{
    // A region found again must lie at least this much inside the blanked area to count as already handled.
    private const double RequiredCoverage = 0.5;

    public static void Verify(TextSearch search, PixelFrames blanked, PaletteLut? palette, BlankMask mask)
    {
        var remaining = search.Find(blanked, palette).Where(region => mask.Coverage(region) < RequiredCoverage).ToList();
        if (remaining.Count > 0)
        {
            throw new PixelDataException(PixelFailure.TextRemains, $"After blanking, {remaining.Count} text region(s) were still found outside the blanked area: {string.Join("; ", remaining)}.");
        }
    }
}
