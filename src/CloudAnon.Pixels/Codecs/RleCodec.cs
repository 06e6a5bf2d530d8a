using System.Buffers.Binary;

namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets, then one PackBits segment per byte of each
/// sample (most significant byte first), each row encoded on its own. Frames are native little-endian samples, interleaved
/// or planar as the module says.
/// </summary>
internal static class RleCodec
{
    public const string TransferSyntaxUid = "1.2.840.10008.1.2.5";
    private const int HeaderLength = 64;
    private const int MaxSegments = 15;

    public static void Decode(ReadOnlySpan<byte> fragment, ImagePixelModule module, Span<byte> frame)
    {
        int segments = module.SamplesPerPixel * module.BytesPerSample;
        if (fragment.Length < HeaderLength || BinaryPrimitives.ReadUInt32LittleEndian(fragment) != segments)
        {
            throw Corrupt("the RLE header does not declare one segment per byte of each sample");
        }
        int pixels = module.PixelsPerFrame;
        var plane = new byte[pixels];
        for (int segment = 0; segment < segments; segment++)
        {
            long start = BinaryPrimitives.ReadUInt32LittleEndian(fragment[(4 + 4 * segment)..]);
            long end = segment + 1 < segments ? BinaryPrimitives.ReadUInt32LittleEndian(fragment[(8 + 4 * segment)..]) : fragment.Length;
            if (start < HeaderLength || end < start || end > fragment.Length) throw Corrupt("an RLE segment offset lies outside the fragment");
            UnpackBits(fragment[(int)start..(int)end], plane);
            Scatter(plane, module, segment, frame);
        }
    }

    public static byte[] Encode(ReadOnlySpan<byte> frame, ImagePixelModule module)
    {
        int segments = module.SamplesPerPixel * module.BytesPerSample;
        if (segments > MaxSegments) throw new ArgumentException("RLE holds at most 15 segments.", nameof(module));
        using var output = new MemoryStream();
        output.Write(new byte[HeaderLength]);
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)segments);
        var plane = new byte[module.PixelsPerFrame];
        for (int segment = 0; segment < segments; segment++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4 + 4 * segment), (uint)output.Length);
            Gather(frame, module, segment, plane);
            for (int row = 0; row < module.Rows; row++) PackBits(plane.AsSpan(row * module.Columns, module.Columns), output);
            if (output.Length % 2 != 0) output.WriteByte(0);
        }
        var encoded = output.ToArray();
        header.CopyTo(encoded, 0);
        return encoded;
    }

    /// <summary>Where byte <c>segment % bytes</c> (0 = most significant) of sample <c>segment / bytes</c> of each pixel lives in the frame.</summary>
    private static (int Start, int Stride) Placement(ImagePixelModule module, int segment)
    {
        int bytes = module.BytesPerSample;
        int sample = segment / bytes, byteInSample = bytes - 1 - segment % bytes;
        return module.Planar
            ? (sample * module.PixelsPerFrame * bytes + byteInSample, bytes)
            : (sample * bytes + byteInSample, module.SamplesPerPixel * bytes);
    }

    private static void Scatter(ReadOnlySpan<byte> plane, ImagePixelModule module, int segment, Span<byte> frame)
    {
        var (start, stride) = Placement(module, segment);
        for (int i = 0, at = start; i < plane.Length; i++, at += stride) frame[at] = plane[i];
    }

    private static void Gather(ReadOnlySpan<byte> frame, ImagePixelModule module, int segment, Span<byte> plane)
    {
        var (start, stride) = Placement(module, segment);
        for (int i = 0, at = start; i < plane.Length; i++, at += stride) plane[i] = frame[at];
    }

    /// <summary>PackBits: n ≥ 0 copies n + 1 literal bytes, −127 ≤ n ≤ −1 repeats the next byte 1 − n times, −128 is a no-op.</summary>
    private static void UnpackBits(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int read = 0, written = 0;
        while (written < destination.Length)
        {
            if (read >= source.Length) throw Corrupt("an RLE segment ends before its plane is complete");
            int n = (sbyte)source[read++];
            if (n >= 0)
            {
                int count = n + 1;
                if (read + count > source.Length || written + count > destination.Length) throw Corrupt("an RLE literal run overruns its segment or plane");
                source.Slice(read, count).CopyTo(destination[written..]);
                read += count;
                written += count;
            }
            else if (n != -128)
            {
                int count = 1 - n;
                if (read >= source.Length || written + count > destination.Length) throw Corrupt("an RLE replicate run overruns its segment or plane");
                destination.Slice(written, count).Fill(source[read++]);
                written += count;
            }
        }
    }

    private static void PackBits(ReadOnlySpan<byte> row, Stream output)
    {
        int i = 0;
        while (i < row.Length)
        {
            int run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i]) run++;
            if (run >= 2)
            {
                output.WriteByte((byte)(sbyte)(1 - run));
                output.WriteByte(row[i]);
                i += run;
                continue;
            }
            // A literal run lasts until two equal bytes begin a replicate run, at most 128 bytes.
            int literal = 1;
            while (i + literal < row.Length && literal < 128 && !(i + literal + 1 < row.Length && row[i + literal] == row[i + literal + 1])) literal++;
            output.WriteByte((byte)(literal - 1));
            output.Write(row.Slice(i, literal));
            i += literal;
        }
    }

    private static DeidentificationException Corrupt(string why) => new(DeidentificationFailure.PixelDataUndecodable, $"RLE Lossless: {why}.");
}
