using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Core;

/// <summary>
/// The pixel steps of <see cref="Deidentifier"/>: before the profile, on the original header, overlay planes embedded
/// in Pixel Data lose their bits (always: the profile removes every overlay), then Clean Pixel Data; after it, the
/// codestreams lose their metadata segments. A pixel failure is a <see cref="DeidentificationException"/> with its own
/// reason, thrown by the cleaner, so the file is quarantined.
/// The text detection and recognition models are loaded once per process; a missing model fails the construction
/// (start-up or usage error).
/// </summary>
internal sealed class PixelCleaningStep
{
    private static readonly Lazy<OnnxTextDetector> SharedDetector = new(() => OnnxTextDetector.Open(), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OnnxTextRecognizer> SharedRecognizer = new(() => OnnxTextRecognizer.Open(), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly long MaxDecodedBytes = new PixelCleanerOptions().MaxDecodedBytes;

    private readonly PixelCleaner? _cleaner;

    public PixelCleaningStep(DeidentificationOptions options)
    {
        if (options.CleanPixelData == CleanPixelDataMode.Off) return;
        _cleaner = new PixelCleaner(SharedDetector.Value, SharedRecognizer.Value,
            new PixelCleanerOptions { Mode = options.CleanPixelData, CandidateRule = options.PixelCandidates, TextPolicy = options.PixelText });
    }

    /// <summary>Whether the cleaner wants to know which text identifies (pixel-text=identifying).</summary>
    public bool NeedsIdentifyingText => _cleaner?.Options.TextPolicy == PixelTextPolicy.Identifying;

    public async Task<PixelCleaningResult> CleanAsync(DicomFile file, IdentifyingTextTest? identifying, CancellationToken cancellationToken)
    {
        await EmbeddedOverlays.ClearAsync(file, MaxDecodedBytes, cancellationToken).ConfigureAwait(false);
        return _cleaner is null ? PixelCleaningResult.NotCandidate : await _cleaner.CleanAsync(file, identifying, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the metadata segments (JPEG APPn and COM, JPEG 2000 COM) of every encapsulated codestream of
    /// <paramref name="dataset"/>, in every mode, Clean Pixel Data or not: like a header attribute, they may name the
    /// patient (PS3.15 E.1.1). A codestream that cannot be walked quarantines the file, whatever the cause.
    /// </summary>
    public static async Task<int> StripCodestreamMetadataAsync(DicomDataset dataset, TransferSyntax syntax, CancellationToken cancellationToken)
    {
        try
        {
            return await CodestreamMetadata.StripAsync(dataset, syntax, cancellationToken).ConfigureAwait(false);
        }
        catch (DeidentificationException e) when (e.Failure != DeidentificationFailure.CodestreamMetadataUnwalkable)
        {
            // Whatever stopped the walk (a fragment that does not decode, a size beyond the limit), the metadata cannot be ruled out.
            throw new DeidentificationException(DeidentificationFailure.CodestreamMetadataUnwalkable, e.Message, e);
        }
    }
}
