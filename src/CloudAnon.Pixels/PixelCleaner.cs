using System.Diagnostics;
using CloudAnon.Dicom;
using CloudAnon.Pixels.Codecs;
using CloudAnon.Pixels.Detection;
using CloudAnon.Pixels.Regions;

namespace CloudAnon.Pixels;

/// <summary>
/// PS3.15's Clean Pixel Data Option for one file: decides on the original header whether the file is a candidate, finds
/// and reads the text in its pixels (detector, then recogniser: texture that reads as nothing stays), chooses what to
/// blank (every line read, or under pixel-text=identifying the lines that identify; device signatures; outside the
/// ultrasound regions), blanks it on every frame, verifies by reading again, and writes the frames back losslessly
/// (uncompressed as they came, or RLE Lossless for encapsulated input), setting Burned In Annotation NO. A file with no
/// text to blank is examined and left unchanged. Anything that cannot be completed throws <see cref="DeidentificationException"/>:
/// the file is quarantined. Thread-safe: one instance serves every file.
/// </summary>
public sealed class PixelCleaner(ITextDetector detector, ITextRecognizer recognizer, PixelCleanerOptions options)
{
    private static readonly TransferSyntax RleLossless = TransferSyntax.Lookup(RleCodec.TransferSyntaxUid);

    public PixelCleanerOptions Options { get; } = options;

    public Task<PixelCleaningResult> CleanAsync(DicomFile file, CancellationToken cancellationToken = default) => CleanAsync(file, null, cancellationToken);

    /// <param name="identifying">
    /// Under pixel-text=identifying, which lines read identify the patient; without it every line counts as identifying
    /// (the policy fails closed to blanking all text).
    /// </param>
    public async Task<PixelCleaningResult> CleanAsync(DicomFile file, IdentifyingTextTest? identifying, CancellationToken cancellationToken = default)
    {
        var dataset = file.Dataset;
        var candidate = Options.CandidateRule.Evaluate(dataset);
        if (Options.Mode == CleanPixelDataMode.Off || candidate == CandidateReason.None) return PixelCleaningResult.NotCandidate;

        var clock = Stopwatch.StartNew();
        PixelEncoding.Classify(file.TransferSyntax.Uid); // an encoding without a codec is refused for that reason first
        var stored = ImagePixelModule.Read(dataset);
        var palette = stored.Photometric == Photometric.PaletteColor ? await PaletteLut.ReadAsync(dataset, cancellationToken).ConfigureAwait(false) : null;
        var frames = await PixelFrames.ReadAsync(dataset, file.TransferSyntax, stored, Options.MaxDecodedBytes, cancellationToken).ConfigureAwait(false);
        var module = frames.Module;
        var search = new TextSearch(detector, recognizer, clock, Options.TimeBudget);
        Func<PixelText, bool> toBlank = Options.TextPolicy == PixelTextPolicy.Identifying && identifying is not null ? text => identifying(text.Text) : _ => true;

        // Blanked whatever is read (detect-only reads everything: it blanks nothing).
        var mask = Options.Mode == CleanPixelDataMode.DetectOnly ? null : FixedMask(dataset, module);
        var found = search.Find(frames, palette, mask, TextSearch.Inside);
        var blank = found.Texts.Where(toBlank).ToList();
        var kept = found.Texts.Except(blank).Select(text => new KeptText(text.Box, text.Text.Length)).ToList();
        PixelCleaningResult Result(PixelOutcome outcome, long blanked, string? originalSyntax) =>
            new(candidate, outcome, found.Texts.Count, blanked, originalSyntax) { TextureRegions = found.TextureRegions, UnreadRegions = found.UnreadRegions, Kept = kept };

        if (mask is null)
        {
            if (blank.Count > 0) throw new DeidentificationException(DeidentificationFailure.BurnedInTextDetected, $"{blank.Count} line(s) of text read in the pixels.");
            return Result(PixelOutcome.Examined, 0, null);
        }

        foreach (var text in blank) mask.Add(text.Box);
        if (mask.IsEmpty) return Result(PixelOutcome.Examined, 0, null);

        int? black = palette?.DarkestStoredValue();
        VerificationPass.BlankAndVerify(search, frames, palette, mask, toBlank, () =>
        {
            if (module.Photometric == Photometric.YbrFull422) mask.WidenToPairs();
            foreach (var frame in frames.Frames) FrameBlanker.Blank(frame, module, mask, black);
        });

        dataset.Set(frames.ToPixelDataElement());
        string? originalSyntax = null;
        if (frames.WasEncapsulated)
        {
            originalSyntax = file.TransferSyntax.Uid;
            RecordDecodedLayout(dataset, stored, module, originalSyntax);
            if (originalSyntax != RleLossless.Uid) file.ChangeEncapsulatedSyntax(RleLossless);
        }
        PixelTags.SetCodeString(dataset, DicomTags.BurnedInAnnotation, "NO");
        return Result(PixelOutcome.Cleaned, mask.Count, originalSyntax) with { BlankedBoxes = [.. mask.Regions], BlankedOutside = [.. mask.KeptRegions] };
    }

    /// <summary>
    /// What is blanked whatever the frames show: the matching device signature and, for ultrasound under pixel-text=all,
    /// all that lies outside the data regions (under pixel-text=identifying the labels there are read like any other text).
    /// </summary>
    private BlankMask FixedMask(DicomDataset dataset, ImagePixelModule module)
    {
        var mask = new BlankMask(module.Columns, module.Rows);
        foreach (var region in Options.Signatures.Match(dataset, module.Columns, module.Rows)) mask.Add(region);
        var ultrasound = UltrasoundRegions.Read(dataset);
        if (ultrasound.Count > 0 && Options.TextPolicy == PixelTextPolicy.All) mask.AddOutside(ultrasound);
        return mask;
    }

    /// <summary>
    /// Decoded frames may differ in layout from what the codestream's header said (JPEG YBR_FULL_422 comes out YBR_FULL,
    /// interleaved, as RLE); a lossy source keeps its Lossy Image Compression history (PS3.3 C.7.6.1.1.5).
    /// </summary>
    private static void RecordDecodedLayout(DicomDataset dataset, ImagePixelModule stored, ImagePixelModule decoded, string originalSyntax)
    {
        if (decoded.Photometric != stored.Photometric) PixelTags.SetCodeString(dataset, DicomTags.PhotometricInterpretation, ImagePixelModule.PhotometricName(decoded.Photometric));
        // RLE segments are colour planes whatever Planar Configuration says; the US IODs want 1 for YBR_FULL (PS3.3 C.8.5.6.1.16).
        bool planar = decoded.Planar || decoded.Photometric == Photometric.YbrFull;
        if (decoded.SamplesPerPixel == 3) PixelTags.SetUnsignedShort(dataset, DicomTags.PlanarConfiguration, planar ? 1 : 0);
        bool lossySource = originalSyntax is "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51";
        if (lossySource && dataset.GetAsciiString(DicomTags.LossyImageCompression) != "01")
        {
            PixelTags.SetCodeString(dataset, DicomTags.LossyImageCompression, "01");
        }
        if (lossySource && !dataset.Contains(DicomTags.LossyImageCompressionMethod))
        {
            PixelTags.SetCodeString(dataset, DicomTags.LossyImageCompressionMethod, "ISO_10918_1");
        }
    }
}
