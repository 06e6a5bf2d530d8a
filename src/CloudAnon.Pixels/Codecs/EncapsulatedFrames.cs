using System.Buffers.Binary;
using CloudAnon.Dicom;

namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// Groups the fragments of encapsulated pixel data into one codestream per frame (PS3.5 A.4): by the Basic Offset Table
/// when it has entries, one fragment per frame when the counts agree, all fragments for a single frame, or else at each
/// fragment that starts a codestream (JPEG SOI for the decoder).
/// </summary>
internal static class EncapsulatedFrames
{
    public static async Task<ReadOnlyMemory<byte>[]> ReadAsync(DicomFragments pixelData, int frameCount, long maxBytes, CancellationToken cancellationToken)
    {
        var fragments = pixelData.Fragments;
        if (fragments.Count < 2) throw Undecodable("encapsulated Pixel Data has no fragments");
        if (fragments.Skip(1).Sum(f => f.Length) > maxBytes) throw new DeidentificationException(DeidentificationFailure.PixelDataTooLarge, $"Compressed pixel data exceeds {maxBytes} bytes.");
        var contents = new byte[fragments.Count - 1][];
        for (int i = 1; i < fragments.Count; i++)
        {
            contents[i - 1] = fragments[i].Bulk is { } bulk ? await bulk.ReadAllAsync(cancellationToken).ConfigureAwait(false) : fragments[i].Bytes.ToArray();
        }
        var offsetTable = fragments[0].Bulk is { } tableBulk ? await tableBulk.ReadAllAsync(cancellationToken).ConfigureAwait(false) : fragments[0].Bytes.ToArray();

        var starts = FrameStarts(BasicOffsets(offsetTable), [.. contents.Select(c => (long)c.Length)], i => contents[i] is [0xFF, 0xD8, ..], frameCount);
        var frames = new ReadOnlyMemory<byte>[frameCount];
        for (int frame = 0; frame < frameCount; frame++)
        {
            int end = frame + 1 < frameCount ? starts[frame + 1] : contents.Length;
            frames[frame] = end - starts[frame] == 1 ? contents[starts[frame]] : Concatenate(contents.AsSpan(starts[frame], end - starts[frame]));
        }
        return frames;
    }

    /// <summary>
    /// The index of the first fragment (after the offset table) of each frame: by <paramref name="offsets"/> (from the
    /// Basic or Extended Offset Table, counted from the first fragment's item tag) when there is one per frame, one
    /// fragment per frame when the counts agree, all fragments for a single frame, or else at each fragment that
    /// <paramref name="startsCodestream"/>.
    /// </summary>
    public static int[] FrameStarts(ReadOnlySpan<long> offsets, IReadOnlyList<long> fragmentLengths, Func<int, bool> startsCodestream, int frameCount)
    {
        if (frameCount == 1) return [0];
        if (fragmentLengths.Count == frameCount) return [.. Enumerable.Range(0, frameCount)];
        if (offsets.Length == frameCount)
        {
            // Each fragment adds its 8-byte item header.
            var byOffset = new Dictionary<long, int>();
            long position = 0;
            for (int i = 0; i < fragmentLengths.Count; i++)
            {
                byOffset[position] = i;
                position += 8 + fragmentLengths[i];
            }
            var starts = new int[frameCount];
            for (int frame = 0; frame < frameCount; frame++)
            {
                if (!byOffset.TryGetValue(offsets[frame], out starts[frame]) || (frame > 0 && starts[frame] <= starts[frame - 1])) throw Undecodable("the offset table does not point at fragments in order");
            }
            return starts;
        }
        var soi = Enumerable.Range(0, fragmentLengths.Count).Where(startsCodestream).ToArray();
        if (soi.Length == frameCount && soi[0] == 0) return soi;
        throw Undecodable("the fragments cannot be assigned to frames (no offset table, and neither one fragment per frame nor one codestream start per frame)");
    }

    /// <summary>The entries of a Basic Offset Table (32-bit, little-endian); empty when it is empty.</summary>
    public static long[] BasicOffsets(ReadOnlySpan<byte> table)
    {
        var offsets = new long[table.Length / 4];
        for (int i = 0; i < offsets.Length; i++) offsets[i] = BinaryPrimitives.ReadUInt32LittleEndian(table[(4 * i)..]);
        return offsets;
    }

    private static byte[] Concatenate(ReadOnlySpan<byte[]> parts)
    {
        var whole = new byte[parts.ToArray().Sum(p => p.Length)];
        int at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(whole, at);
            at += part.Length;
        }
        return whole;
    }

    private static DeidentificationException Undecodable(string why) => new(DeidentificationFailure.PixelDataUndecodable, why + ".");
}
