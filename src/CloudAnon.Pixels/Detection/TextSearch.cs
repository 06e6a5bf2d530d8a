using System.Diagnostics;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Finds and reads the text in a file's frames: every frame of a single-frame image; for multi-frame, the first, middle
/// and last frames and their composite (their mean: banners and overlays that stay put), so the cost does not grow with
/// the number of frames. The detector says where text-like strokes are; the recogniser reads each such region, widened
/// by its height on both sides and, where the characters reach the crop's end, further along the line, so that a line
/// the detector cut short is read whole. A region is text when it reads as at least one character with enough confidence
/// (a lone ring excepted); texture (speckle, sectors, periodic patterns, anatomy, and regions thicker than a quarter of
/// the frame) is counted, not kept. Enforces the time budget.
/// </summary>
internal sealed class TextSearch(ITextDetector detector, ITextRecognizer recognizer, Stopwatch clock, TimeSpan budget)
{
    // One search serves one file: a crop read before with the same pixels (verification, the composite) is not read again.
    private readonly RepeatedReads _recognizer = new(recognizer);

    // A character read with less confidence does not make a region text. Measured: texture crops read as no character
    // at all, or as characters up to 0.72 (CT-like texture beside fresh black boxes); the synthetic and corpus lines read
    // at 0.87–1.00 a line, single letters ("R", "L") at 0.94–0.99.
    internal const float MinimumCharacterConfidence = 0.8f;

    // A region this much inside the blanked area is not read again in verification (what it could show is black), nor
    // one this much inside a line already read in another rendering of the file (the percentile window, the composite).
    internal const double CoveredAlready = 0.9;

    // A region wholly inside the area blanked whatever is read there (device signature, outside the ultrasound regions)
    // is not read in the first pass: every pixel it covers goes black anyway.
    internal const double Inside = 1.0;

    /// <summary>
    /// The text read in the frames. Regions whose glyphs lie at least <paramref name="skipCoverage"/> inside
    /// <paramref name="blanked"/> are not read: in verification (<see cref="CoveredAlready"/>) what they could show is black;
    /// in the first pass (<see cref="Inside"/>) the area is blanked whatever they say. They are counted apart.
    /// </summary>
    public TextSearchResult Find(PixelFrames frames, PaletteLut? palette, BlankMask? blanked = null, double skipCoverage = CoveredAlready)
    {
        var module = frames.Module;
        var sampled = SampledFrames(frames.Frames.Length).SelectMany(i => FrameRenderer.Renderings(frames.Frames[i], module, palette)).ToList();
        var images = frames.Frames.Length > 1 ? [.. sampled, Composite(sampled)] : sampled;
        var texts = new List<PixelText>();
        var read = new BlankMask(module.Columns, module.Rows);
        int texture = 0, unread = 0;
        foreach (var image in images)
        {
            var regions = detector.Detect(image, DetectionScales.First, DetectionScores.Blank);
            foreach (var region in regions)
            {
                // The glyphs lie inside the region without its reading margin: that part is what was blanked or read.
                var glyphs = TextRegions.WithoutMargin(region);
                if (read.Coverage(glyphs) >= CoveredAlready) continue;
                if (blanked is not null && blanked.Coverage(glyphs) >= skipCoverage)
                {
                    unread++;
                    continue;
                }
                var text = TooThick(region, image) ? null : Read(image, region, regions);
                if (text is null)
                {
                    texture++;
                }
                else
                {
                    texts.Add(text);
                    read.Add(text.Box);
                }
                CheckBudget();
            }
            CheckBudget();
        }
        return new TextSearchResult(texts, texture, unread);
    }

    /// <summary>
    /// The line read in the region, or null when it reads as no character with enough confidence. <paramref name="others"/>
    /// are the regions found with it: a line is read on past its crop only where none of them is read there anyway.
    /// </summary>
    private PixelText? Read(RgbImage image, PixelRegion region, IReadOnlyList<PixelRegion> others)
    {
        bool vertical = PixelText.IsVertical(region);
        var read = _recognizer.Read(image, Widened(region, vertical));
        // A tall region may be a vertical line or a single upright character ("L", "R"): read it both ways.
        if (vertical && !IsText(read)) read = _recognizer.Read(image, Widened(region, vertical: false));
        if (!IsText(read)) return null;
        return PixelText.Of(vertical ? read : ReadToLineEnds(image, region, read, others), region);
    }

    /// <summary>
    /// A line the detector cut short reads up to an edge of its crop: the crop grows along the line by
    /// <see cref="LineContinuation"/> line heights on that side and is read again, while the characters read reach
    /// further and still reach an edge (a few rounds), so that blanking covers the whole line, not its middle. A side
    /// where another region found on the same row reaches into the crop is not grown: the detector split the line at a
    /// word gap, and that region is read itself.
    /// </summary>
    private RecognizedText ReadToLineEnds(RgbImage image, PixelRegion region, RecognizedText read, IReadOnlyList<PixelRegion> others)
    {
        var crop = Widened(region, vertical: false).ClipTo(image.Width, image.Height);
        int height = region.Height, grow = LineContinuation * height;
        var row = others.Where(other => other != region && other.Y < region.Bottom - height / 2 && region.Y + height / 2 < other.Bottom).ToList();
        bool leftFree = !row.Any(other => other.Right <= region.X + height / 2 && other.Right > crop.X);
        bool rightFree = !row.Any(other => other.X >= region.Right - height / 2 && other.X < crop.Right);
        for (int round = 0; round < ContinuationRounds; round++)
        {
            bool left = leftFree && crop.X > 0 && read.Span.X - crop.X < height / 2;
            bool right = rightFree && crop.Right < image.Width && crop.Right - read.Span.Right < height / 2;
            if (!left && !right) break;
            int x = left ? crop.X - grow : crop.X;
            var wider = new PixelRegion(x, crop.Y, (right ? crop.Right + grow : crop.Right) - x, crop.Height).ClipTo(image.Width, image.Height);
            var again = _recognizer.Read(image, wider);
            if (!IsText(again) || again.Span.Width <= read.Span.Width) break;
            (crop, read) = (wider, again);
        }
        return read;
    }

    // How far a cut line's crop grows at a time, in line heights, and how many times.
    private const int LineContinuation = 4, ContinuationRounds = 3;

    /// <summary>
    /// A region thicker across its line than a quarter of the frame is anatomy, not a line of burned-in text (the largest
    /// text the tests blank, an 80 px "R" on a 480-row frame, is a sixth): the detector scores large bright structures
    /// as text, and beside fresh black boxes the recogniser can read a character in them (an MR slice of the public
    /// evaluation set lost 60% of its pixels to a 250 × 156 region read as text in verification). It is texture.
    /// </summary>
    private static bool TooThick(PixelRegion region, RgbImage image) =>
        PixelText.IsVertical(region) ? region.Width > image.Width / 4 : region.Height > image.Height / 4;

    /// <summary>The region widened along its line by its thickness on both sides (a vertical line: up and down).</summary>
    private static PixelRegion Widened(PixelRegion region, bool vertical) => vertical
        ? region with { Y = region.Y - region.Width, Height = region.Height + 2 * region.Width }
        : region with { X = region.X - region.Height, Width = region.Width + 2 * region.Height };

    internal static bool IsText(RecognizedText read)
    {
        var confident = read.Text.Where((c, i) => !char.IsWhiteSpace(c) && read.Confidences[i] >= MinimumCharacterConfidence).ToList();
        // A lone ring is what ribs, vessels and bowel in cross-section read as (a rib of the corpus CT slice reads "0" at
        // 0.95 and 0.98): texture. One such character identifies nobody, so nothing is lost by leaving it.
        return confident.Count > 1 || (confident.Count == 1 && !Rings.Contains(confident[0]));
    }

    private const string Rings = "0Oo°";

    private void CheckBudget()
    {
        if (clock.Elapsed > budget)
        {
            throw new DeidentificationException(DeidentificationFailure.PixelDetectionTimedOut, $"Text detection took longer than its budget of {budget.TotalSeconds:0} s.");
        }
    }

    private static IEnumerable<int> SampledFrames(int count) => new[] { 0, count / 2, count - 1 }.Distinct();

    /// <summary>
    /// The per-pixel mean of the sampled frames: what stays put (banners, overlays) stays crisp while the live image
    /// blurs, so text drawn over a changing image stands out without the hard edges a cut-out would add.
    /// </summary>
    private static RgbImage Composite(List<RgbImage> images)
    {
        var composite = new byte[images[0].Pixels.Length];
        for (int i = 0; i < composite.Length; i++)
        {
            int sum = 0;
            foreach (var image in images) sum += image.Pixels[i];
            composite[i] = (byte)(sum / images.Count);
        }
        return new RgbImage(images[0].Width, images[0].Height, composite);
    }
}

/// <summary>
/// The text read in a file's frames, how many detected regions read as nothing (texture), and how many were not read
/// because they lie inside the area already blanked or blanked anyway.
/// </summary>
internal sealed record TextSearchResult(List<PixelText> Texts, int TextureRegions, int UnreadRegions);
