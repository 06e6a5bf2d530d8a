namespace CloudAnon.Pixels.Detection;

/// <summary>
/// A recogniser that reads a crop once per file: a region read again with exactly the same pixels (a texture region found
/// again by verification away from the blanked boxes, a region of a sampled frame that the composite shows unchanged)
/// gives the answer of the first read. The recogniser is a pure function of the crop's pixels and the region, so the
/// answer is the same; only the model run is saved. Holds crops of one file's frames: one instance per file.
/// </summary>
internal sealed class RepeatedReads(ITextRecognizer recognizer) : ITextRecognizer
{
    private readonly Dictionary<PixelRegion, List<(byte[] Crop, RecognizedText Read)>> _reads = [];

    public RecognizedText Read(RgbImage image, PixelRegion region)
    {
        var clipped = region.ClipTo(image.Width, image.Height);
        byte[] crop = Crop(image, clipped);
        if (!_reads.TryGetValue(region, out var earlier)) _reads[region] = earlier = [];
        foreach (var (pixels, read) in earlier)
        {
            if (pixels.AsSpan().SequenceEqual(crop)) return read;
        }
        var fresh = recognizer.Read(image, region);
        earlier.Add((crop, fresh));
        return fresh;
    }

    private static byte[] Crop(RgbImage image, PixelRegion region)
    {
        if (region.IsEmpty) return [];
        var crop = new byte[region.Width * region.Height * 3];
        for (int y = 0; y < region.Height; y++)
        {
            image.Pixels.AsSpan(((region.Y + y) * image.Width + region.X) * 3, region.Width * 3).CopyTo(crop.AsSpan(y * region.Width * 3));
        }
        return crop;
    }
}
