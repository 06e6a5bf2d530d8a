using CloudAnon.Pixels.Regions;

namespace CloudAnon.Pixels;

/// <summary>The Clean Pixel Data setting: off, blank the text found (on), or quarantine what has text (detect-only).</summary>
public enum CleanPixelDataMode
{
    Off,
    On,
    DetectOnly,
}

/// <summary>Which text read in the pixels is blanked (the pixel-text setting).</summary>
public enum PixelTextPolicy
{
    /// <summary>Every line read as text is blanked.</summary>
    All,

    /// <summary>
    /// Only lines that match the file's own identifying values (in any spelling the free-text cleaner knows) or a PHI
    /// shape (dates, times with a date, long numbers, names after titles) are blanked; laterality, units, scales,
    /// measurements and probe names stay.
    /// </summary>
    Identifying,
}

/// <summary>Tells whether a line read in the pixels identifies the patient; supplied per file by the engine, which knows the file's identifying values.</summary>
public delegate bool IdentifyingTextTest(string text);

/// <summary>How candidates are chosen and how far the cleaner may go for one file.</summary>
public sealed record PixelCleanerOptions
{
    public CleanPixelDataMode Mode { get; init; } = CleanPixelDataMode.On;

    public CandidateRule CandidateRule { get; init; } = new();

    public PixelTextPolicy TextPolicy { get; init; } = PixelTextPolicy.All;

    public BurnedInTextSignatures Signatures { get; init; } = BurnedInTextSignatures.Default;

    /// <summary>Decoded pixel data above this size is quarantined rather than held in memory.</summary>
    public long MaxDecodedBytes { get; init; } = 1L << 30;

    /// <summary>Detection and verification of one file must finish within this time, or the file is quarantined.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(60);
}
