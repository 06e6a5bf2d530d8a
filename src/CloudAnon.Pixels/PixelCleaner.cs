using System.Diagnostics;
using CloudAnon.Dicom;
using CloudAnon.Pixels.Codecs;
using CloudAnon.Pixels.Detection;
using CloudAnon.Pixels.Regions;

namespace CloudAnon.Pixels;

/// <summary>
/// PS3.15's Clean Pixel Data Option for one file: decides on the original header whether the file is a candidate, finds
/// where text is (detector, device signatures, outside the ultrasound regions), blanks it on every frame, verifies, and
/// writes the frames back losslessly (uncompressed as they came, or RLE Lossless for encapsulated input), setting Burned
/// In Annotation NO. Anything that cannot be completed throws <see cref="DeidentificationException"/>: the file is quarantined.
/// Thread-safe: one instance serves every file.
/// </summary>
public sealed class PixelCleaner(ITextDetector detector, PixelCleanerOptions options)
{
    private static readonly TransferSyntax RleLossless = TransferSyntax.Lookup(RleCodec.TransferSyntaxUid);
    private static readonly DicomTag LossyImageCompressionMethod = new(0x0028, 0x2114);

    public PixelCleanerOptions Options { get; } = options;

    public async Task<PixelCleaningResult> CleanAsync(DicomFile file, CancellationToken cancellationToken = default)
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
        var search = new TextSearch(detector, clock, Options.TimeBudget);

        var found = search.Find(frames, palette, DetectionScores.Blank);
        if (Options.Mode == CleanPixelDataMode.DetectOnly)
        {
            if (found.Count > 0) throw new DeidentificationException(DeidentificationFailure.BurnedInTextDetected, $"{found.Count} text region(s) found in the pixels.");
            return new PixelCleaningResult(candidate, Cleaned: false, 0, 0, null);
        }

        var mask = BuildMask(dataset, module, found);
        if (mask.IsEmpty) return Cleaned(dataset, candidate, found.Count, mask, originalSyntax: null);

        int? black = palette?.DarkestStoredValue();
        VerificationPass.BlankAndVerify(search, frames, palette, mask, () =>
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
        return Cleaned(dataset, candidate, found.Count, mask, originalSyntax);
    }

    /// <summary>The union of the detected regions, the matching device signature and, for ultrasound, all that lies outside the data regions.</summary>
    private BlankMask BuildMask(DicomDataset dataset, ImagePixelModule module, List<PixelRegion> found)
    {
        var mask = new BlankMask(module.Columns, module.Rows);
        foreach (var region in found) mask.Add(region);
        foreach (var region in Options.Signatures.Match(dataset, module.Columns, module.Rows)) mask.Add(region);
        var ultrasound = UltrasoundRegions.Read(dataset);
        if (ultrasound.Count > 0) mask.AddOutside(ultrasound);
        return mask;
    }

    private static PixelCleaningResult Cleaned(DicomDataset dataset, CandidateReason candidate, int found, BlankMask mask, string? originalSyntax)
    {
        PixelTags.SetCodeString(dataset, PixelTags.BurnedInAnnotation, "NO");
        return new PixelCleaningResult(candidate, Cleaned: true, found, mask.Count, originalSyntax);
    }

    /// <summary>
    /// Decoded frames may differ in layout from what the codestream's header said (JPEG YBR_FULL_422 comes out YBR_FULL,
    /// interleaved, as RLE); a lossy source keeps its Lossy Image Compression history (PS3.3 C.7.6.1.1.5).
    /// </summary>
    private static void RecordDecodedLayout(DicomDataset dataset, ImagePixelModule stored, ImagePixelModule decoded, string originalSyntax)
    {
        if (decoded.Photometric != stored.Photometric) PixelTags.SetCodeString(dataset, PixelTags.PhotometricInterpretation, ImagePixelModule.PhotometricName(decoded.Photometric));
        // RLE segments are colour planes whatever Planar Configuration says; the US IODs want 1 for YBR_FULL (PS3.3 C.8.5.6.1.16).
        bool planar = decoded.Planar || decoded.Photometric == Photometric.YbrFull;
        if (decoded.SamplesPerPixel == 3) PixelTags.SetUnsignedShort(dataset, PixelTags.PlanarConfiguration, planar ? 1 : 0);
        bool lossySource = originalSyntax is "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51";
        if (lossySource && dataset.GetAsciiString(PixelTags.LossyImageCompression) != "01")
        {
            PixelTags.SetCodeString(dataset, PixelTags.LossyImageCompression, "01");
        }
        if (lossySource && !dataset.Contains(LossyImageCompressionMethod))
        {
            PixelTags.SetCodeString(dataset, LossyImageCompressionMethod, "ISO_10918_1");
        }
    }
}
