using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Core;

/// <summary>
/// The pixel steps of <see cref="Deidentifier"/>, before the profile, on the original header: overlay planes embedded
/// in Pixel Data lose their bits (always: the profile removes every overlay), then Clean Pixel Data. A pixel failure is
/// a <see cref="DeidentificationException"/> with its own reason, thrown by the cleaner, so the file is quarantined.
/// The text detector model is loaded once per process; a missing model fails the construction (start-up or usage error).
/// </summary>
internal sealed class PixelCleaningStep
{
    private static readonly Lazy<OnnxTextDetector> SharedDetector = new(() => OnnxTextDetector.Open(), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly long MaxDecodedBytes = new PixelCleanerOptions().MaxDecodedBytes;

    private readonly PixelCleaner? _cleaner;

    public PixelCleaningStep(DeidentificationOptions options)
    {
        if (options.CleanPixelData == CleanPixelDataMode.Off) return;
        _cleaner = new PixelCleaner(SharedDetector.Value, new PixelCleanerOptions { Mode = options.CleanPixelData, CandidateRule = options.PixelCandidates });
    }

    public async Task<PixelCleaningResult> CleanAsync(DicomFile file, CancellationToken cancellationToken)
    {
        await EmbeddedOverlays.ClearAsync(file, MaxDecodedBytes, cancellationToken).ConfigureAwait(false);
        return _cleaner is null ? PixelCleaningResult.NotCandidate : await _cleaner.CleanAsync(file, cancellationToken).ConfigureAwait(false);
    }
}
