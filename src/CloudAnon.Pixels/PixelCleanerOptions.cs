using CloudAnon.Pixels.Regions;

namespace CloudAnon.Pixels;

/// <summary>The Clean Pixel Data setting: off, blank the text found (on), or quarantine what has text (detect-only).</summary>
public enum CleanPixelDataMode
{
    Off,
    On,
    DetectOnly,
}

/// <summary>How candidates are chosen and how far the cleaner may go for one file.</summary>
public sealed record PixelCleanerOptions
{
    public CleanPixelDataMode Mode { get; init; } = CleanPixelDataMode.On;

    public CandidateRule CandidateRule { get; init; } = new();

    public BurnedInTextSignatures Signatures { get; init; } = BurnedInTextSignatures.Default;

    /// <summary>Decoded pixel data above this size is quarantined rather than held in memory.</summary>
    public long MaxDecodedBytes { get; init; } = 1L << 30;

    /// <summary>Detection and verification of one file must finish within this time, or the file is quarantined.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(60);
}
