namespace CloudAnon.Pixels;

/// <summary>
/// What the cleaner did to one file. <see cref="Cleaned"/> means the pixels were examined and every region with text
/// (found, by signature, or outside the ultrasound regions) blanked and verified; only then is Burned In Annotation NO.
/// </summary>
public sealed record PixelCleaningResult(
    CandidateReason Candidate,
    bool Cleaned,
    int TextRegionsFound,
    long PixelsBlankedPerFrame,
    string? OriginalTransferSyntaxUid)
{
    public static PixelCleaningResult NotCandidate { get; } = new(CandidateReason.None, false, 0, 0, null);

    /// <summary>The pixel data was re-encoded (RLE Lossless) from this encapsulated syntax; null when the encoding is unchanged.</summary>
    public bool TransferSyntaxChanged => OriginalTransferSyntaxUid is not null;
}
