using System.Buffers.Binary;
using System.Runtime.InteropServices;
using JpegLibrary;

namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// Decodes one JPEG frame (baseline/extended DCT, or lossless with first-order prediction) with JpegLibrary into native
/// little-endian samples, interleaved. Components come out as coded: YCbCr stays YCbCr (subsampled chroma upsampled), so
/// a YBR_FULL_422 image decodes to YBR_FULL. Lossless predictors other than 1 are refused: JpegLibrary decodes them wrong.
/// </summary>
internal static class JpegFrameDecoder
{
    private const byte Baseline = 0xC0, Extended = 0xC1, Lossless = 0xC3;

    public static void Decode(ReadOnlyMemory<byte> codestream, ImagePixelModule module, Span<byte> frame)
    {
        var (process, predictor) = Inspect(codestream.Span);
        if (process == Lossless && predictor != 1)
        {
            throw new DeidentificationException(DeidentificationFailure.PixelEncodingUnsupported, $"JPEG Lossless with predictor {predictor}: only first-order prediction (1) decodes exactly here.");
        }
        var decoder = new JpegDecoder();
        decoder.SetInput(codestream);
        try
        {
            decoder.Identify();
            if (decoder.Width != module.Columns || decoder.Height != module.Rows || decoder.NumberOfComponents != module.SamplesPerPixel || decoder.Precision > module.BitsAllocated)
            {
                throw Corrupt("the JPEG frame header does not match Rows, Columns, Samples per Pixel or Bits Allocated");
            }
            var samples = new ushort[module.PixelsPerFrame * module.SamplesPerPixel];
            decoder.SetOutputWriter(new SampleWriter(module.Columns, module.Rows, module.SamplesPerPixel, (1 << decoder.Precision) - 1, samples));
            decoder.Decode();
            Store(samples, module, frame);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IndexOutOfRangeException or ArgumentException or NotSupportedException)
        {
            throw new DeidentificationException(DeidentificationFailure.PixelDataUndecodable, "The JPEG codestream could not be decoded.", e);
        }
    }

    /// <summary>The coding process (SOF marker) and, for lossless, the predictor of the first scan.</summary>
    private static (byte Process, int Predictor) Inspect(ReadOnlySpan<byte> data)
    {
        var markers = new JpegMarkerReader(data, Corrupt);
        byte process = 0;
        while (markers.Read())
        {
            byte marker = markers.Marker;
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                if (marker is not (Baseline or Extended or Lossless))
                {
                    throw new DeidentificationException(DeidentificationFailure.PixelEncodingUnsupported, $"JPEG process with SOF marker 0xFF{marker:X2} (progressive, hierarchical or arithmetic) is not decoded here.");
                }
                process = marker;
            }
            if (marker == JpegMarkerReader.StartOfScan)
            {
                // Ls (2), Ns (1), Ns component selectors and table choices (2 each), then Ss: the predictor in lossless.
                var scan = markers.Segment;
                int predictorAt = scan.Length > 2 ? 3 + 2 * scan[2] : scan.Length;
                if (process == 0 || predictorAt >= scan.Length) throw Corrupt("the JPEG scan header comes before a frame header or is cut short");
                return (process, scan[predictorAt]);
            }
        }
        throw Corrupt("no JPEG scan found");
    }

    private static void Store(ReadOnlySpan<ushort> samples, ImagePixelModule module, Span<byte> frame)
    {
        if (module.BytesPerSample == 1)
        {
            for (int i = 0; i < samples.Length; i++) frame[i] = (byte)samples[i];
            return;
        }
        int max = (1 << module.BitsStored) - 1;
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(frame[(2 * i)..], (ushort)Math.Min(samples[i], max));
    }

    private static DeidentificationException Corrupt(string why) => new(DeidentificationFailure.PixelDataUndecodable, $"JPEG: {why}.");

    /// <summary>Receives decoded 8 × 8 blocks (already upsampled and level-shifted) and stores them clamped to the sample precision.</summary>
    private sealed class SampleWriter(int width, int height, int components, int maximum, ushort[] samples) : JpegBlockOutputWriter
    {
        public override void WriteBlock(ref short blockRef, int componentIndex, int x, int y)
        {
            if (x >= width || y >= height) return;
            var block = MemoryMarshal.CreateReadOnlySpan(ref blockRef, 64);
            int columns = Math.Min(width - x, 8), rows = Math.Min(height - y, 8);
            for (int row = 0; row < rows; row++)
            {
                int at = ((y + row) * width + x) * components + componentIndex;
                for (int column = 0; column < columns; column++, at += components)
                {
                    int value = maximum > short.MaxValue ? (ushort)block[row * 8 + column] : block[row * 8 + column];
                    samples[at] = (ushort)Math.Clamp(value, 0, maximum);
                }
            }
        }
    }
}
