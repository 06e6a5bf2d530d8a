using System.Buffers.Binary;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Renders a native frame as 8-bit RGB for the detector: colour converted (YBR → RGB, palette looked up), samples above
/// 8 bits windowed to the frame's own stored range so faint burned-in text keeps its contrast. Monochrome frames of more
/// than 8 bits are also rendered with a percentile window: text drawn inside soft tissue or bone of a CT slice is too
/// faint for the detector in the full stored range (−1024 … +3000) and plain in the 1st–99.5th percentile.
/// </summary>
internal static class FrameRenderer
{
    private const double LowPercentile = 0.01, HighPercentile = 0.995;

    // The percentile window is rendered only when it is at most this share of the stored range: a wider one would show
    // the detector nearly the same image again (and cost a second pass).
    private const double NarrowerWindow = 0.75;

    /// <summary>
    /// Every rendering the detector looks at: the stored range, and for wide monochrome samples the percentile window too
    /// when it is markedly narrower.
    /// </summary>
    public static IEnumerable<RgbImage> Renderings(byte[] frame, ImagePixelModule module, PaletteLut? palette)
    {
        yield return Render(frame, module, palette);
        if (module.BitsStored <= 8 || module.Photometric is not (Photometric.Monochrome1 or Photometric.Monochrome2)) yield break;
        var (low, high) = StoredRange(frame, module);
        var window = PercentileWindow(frame, module, low, high);
        if (window.High - window.Low < NarrowerWindow * (high - low)) yield return Render(frame, module, palette, window);
    }

    public static RgbImage Render(ReadOnlySpan<byte> frame, ImagePixelModule module, PaletteLut? palette, (int Low, int High)? window = null)
    {
        int pixels = module.PixelsPerFrame;
        var rgb = new byte[pixels * 3];
        if (module.Photometric == Photometric.YbrFull422)
        {
            for (int pixel = 0; pixel < pixels; pixel++)
            {
                var quad = frame.Slice(pixel / 2 * 4, 4);
                WriteYbr(rgb, pixel, quad[pixel % 2], quad[2], quad[3]);
            }
            return new RgbImage(module.Columns, module.Rows, rgb);
        }
        if (module.BytesPerSample == 1 && module.BitsStored == 8 && !module.Signed)
        {
            RenderEightBit(frame, module, palette, rgb);
            return new RgbImage(module.Columns, module.Rows, rgb);
        }

        var (low, high) = window ?? StoredRange(frame, module);
        for (int pixel = 0; pixel < pixels; pixel++)
        {
            switch (module.Photometric)
            {
                case Photometric.PaletteColor:
                    var (r, g, b) = palette!.Lookup(Sample(frame, module, pixel, 0));
                    (rgb[pixel * 3], rgb[pixel * 3 + 1], rgb[pixel * 3 + 2]) = (r, g, b);
                    break;
                case Photometric.Monochrome1 or Photometric.Monochrome2:
                    rgb[pixel * 3] = rgb[pixel * 3 + 1] = rgb[pixel * 3 + 2] = Window(Sample(frame, module, pixel, 0), low, high);
                    break;
                case Photometric.Rgb:
                    for (int s = 0; s < 3; s++) rgb[pixel * 3 + s] = Window(Sample(frame, module, pixel, s), low, high);
                    break;
                default:
                    WriteYbr(rgb, pixel, Window(Sample(frame, module, pixel, 0), low, high), Window(Sample(frame, module, pixel, 1), low, high), Window(Sample(frame, module, pixel, 2), low, high));
                    break;
            }
        }
        return new RgbImage(module.Columns, module.Rows, rgb);
    }

    /// <summary>The common case of 8-bit unsigned samples, which need no windowing: read straight from the frame.</summary>
    private static void RenderEightBit(ReadOnlySpan<byte> frame, ImagePixelModule module, PaletteLut? palette, byte[] rgb)
    {
        int pixels = module.PixelsPerFrame;
        int step = module.Planar ? 1 : module.SamplesPerPixel, plane = module.Planar ? pixels : 1;
        for (int pixel = 0, at = 0; pixel < pixels; pixel++, at += step)
        {
            switch (module.Photometric)
            {
                case Photometric.PaletteColor:
                    (rgb[pixel * 3], rgb[pixel * 3 + 1], rgb[pixel * 3 + 2]) = palette!.Lookup(frame[at]);
                    break;
                case Photometric.Monochrome1 or Photometric.Monochrome2:
                    rgb[pixel * 3] = rgb[pixel * 3 + 1] = rgb[pixel * 3 + 2] = frame[at];
                    break;
                case Photometric.Rgb:
                    (rgb[pixel * 3], rgb[pixel * 3 + 1], rgb[pixel * 3 + 2]) = (frame[at], frame[at + plane], frame[at + 2 * plane]);
                    break;
                default:
                    WriteYbr(rgb, pixel, frame[at], frame[at + plane], frame[at + 2 * plane]);
                    break;
            }
        }
    }

    /// <summary>The stored value of one sample, sign-extended from Bits Stored when signed.</summary>
    internal static int Sample(ReadOnlySpan<byte> frame, ImagePixelModule module, int pixel, int sample)
    {
        int index = module.Planar ? sample * module.PixelsPerFrame + pixel : pixel * module.SamplesPerPixel + sample;
        int raw = module.BytesPerSample == 1 ? frame[index] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(index * 2)..]);
        raw &= (1 << module.BitsStored) - 1;
        return module.Signed && (raw & (1 << (module.BitsStored - 1))) != 0 ? raw - (1 << module.BitsStored) : raw;
    }

    /// <summary>8-bit samples map as they are; wider ones are windowed to the lowest and highest value of the frame.</summary>
    private static (int Low, int High) StoredRange(ReadOnlySpan<byte> frame, ImagePixelModule module)
    {
        if (module.BitsStored <= 8 && !module.Signed) return (0, 255);
        int low = int.MaxValue, high = int.MinValue;
        int samples = module.PixelsPerFrame * module.SamplesPerPixel;
        for (int i = 0; i < samples; i++)
        {
            int value = Sample(frame, module, i / module.SamplesPerPixel, i % module.SamplesPerPixel);
            low = Math.Min(low, value);
            high = Math.Max(high, value);
        }
        return (low, Math.Max(high, low + 1));
    }

    /// <summary>The values at the low and high percentile of a monochrome frame's samples.</summary>
    private static (int Low, int High) PercentileWindow(ReadOnlySpan<byte> frame, ImagePixelModule module, int low, int high)
    {
        var histogram = new int[high - low + 1];
        int pixels = module.PixelsPerFrame;
        for (int pixel = 0; pixel < pixels; pixel++) histogram[Sample(frame, module, pixel, 0) - low]++;
        int lowAt = ValueAt(LowPercentile), highAt = ValueAt(HighPercentile);
        return (lowAt, Math.Max(highAt, lowAt + 1));

        int ValueAt(double share)
        {
            long wanted = (long)(share * pixels), seen = 0;
            for (int i = 0; i < histogram.Length; i++)
            {
                seen += histogram[i];
                if (seen > wanted) return low + i;
            }
            return high;
        }
    }

    private static byte Window(int value, int low, int high) =>
        low == 0 && high == 255 ? (byte)value : (byte)Math.Clamp((value - low) * 255L / (high - low), 0, 255);

    // The chroma terms of YCbCr full range (PS3.3 C.7.6.3.1.2) for each 8-bit value.
    private static readonly double[] RedFromCr = ChromaTerm(1.402), GreenFromCb = ChromaTerm(0.344136), GreenFromCr = ChromaTerm(0.714136), BlueFromCb = ChromaTerm(1.772);

    private static double[] ChromaTerm(double factor) => [.. Enumerable.Range(0, 256).Select(v => factor * (v - 128))];

    /// <summary>YCbCr full range (PS3.3 C.7.6.3.1.2) to RGB.</summary>
    private static void WriteYbr(byte[] rgb, int pixel, int y, int cb, int cr)
    {
        rgb[pixel * 3] = Clamp(y + RedFromCr[cr]);
        rgb[pixel * 3 + 1] = Clamp(y - GreenFromCb[cb] - GreenFromCr[cr]);
        rgb[pixel * 3 + 2] = Clamp(y + BlueFromCb[cb]);
    }

    private static byte Clamp(double value) => (byte)Math.Clamp((int)Math.Round(value), 0, 255);
}
