namespace CloudAnon.Pixels;

/// <summary>What Clean Pixel Data did to a file's pixels, and so which marks its output may carry.</summary>
public enum PixelOutcome
{
    /// <summary>The pixels were not examined (the setting is off, or the file is not a candidate).</summary>
    NotCandidate,

    /// <summary>
    /// The pixels were examined and no text to blank was read (none at all, or under pixel-text=identifying none that
    /// identifies): no pixel changed. Burned In Annotation keeps the source's value and no Clean Pixel Data code is written.
    /// </summary>
    Examined,

    /// <summary>
    /// Text was blanked, and verification read the frames again: no identifying value and, under pixel-text=all, no
    /// text outside the blanked area. Only this outcome sets Burned In Annotation NO and the Clean Pixel Data code.
    /// </summary>
    Cleaned,
}

/// <summary>
/// What the cleaner did to one file: the outcome, how many lines of text were read, how many detected regions read as
/// nothing (texture, left alone), the pixels blanked, the lines kept under pixel-text=identifying, and the encoding change.
/// </summary>
public sealed record PixelCleaningResult(
    CandidateReason Candidate,
    PixelOutcome Outcome,
    int TextRegionsFound,
    long PixelsBlankedPerFrame,
    string? OriginalTransferSyntaxUid)
{
    public static PixelCleaningResult NotCandidate { get; } = new(CandidateReason.None, PixelOutcome.NotCandidate, 0, 0, null);

    /// <summary>Text was blanked and the blanking verified: the output may say Burned In Annotation NO and Clean Pixel Data.</summary>
    public bool Cleaned => Outcome == PixelOutcome.Cleaned;

    /// <summary>Regions the detector found that the recogniser read as nothing: texture, not blanked.</summary>
    public int TextureRegions { get; init; }

    /// <summary>
    /// Regions the detector found wholly inside the area blanked whatever they say (device signature, outside the
    /// ultrasound regions), not read.
    /// </summary>
    public int UnreadRegions { get; init; }

    /// <summary>The audit of pixel-text=identifying: each line read and kept because it matched no identifying value or PHI shape.</summary>
    public IReadOnlyList<KeptText> Kept { get; init; } = [];

    /// <summary>The rectangles blanked on every frame, in pixels of the frame (text lines read, device signatures).</summary>
    public IReadOnlyList<PixelRegion> BlankedBoxes { get; init; } = [];

    /// <summary>When not empty, everything outside these rectangles (the ultrasound data regions) was blanked on every frame too.</summary>
    public IReadOnlyList<PixelRegion> BlankedOutside { get; init; } = [];

    /// <summary>The pixel data was re-encoded (RLE Lossless) from this encapsulated syntax; null when the encoding is unchanged.</summary>
    public bool TransferSyntaxChanged => OriginalTransferSyntaxUid is not null;
}

/// <summary>A line of text kept in the pixels: where it is and how many characters were read (never the text: it may be PHI the matching missed).</summary>
public sealed record KeptText(PixelRegion Box, int Characters);
