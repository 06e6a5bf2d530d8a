using System.Buffers.Binary;

namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// Walks a JPEG 2000 (ISO 15444-1, -2) or HTJ2K (ISO 15444-15) codestream, main header and every tile-part header,
/// without decoding it, and removes its COM markers (free text or binary that encoders and archives fill with anything).
/// A tile-part that loses a COM gets its Psot reduced to match; the main header's TLM marker, which would then state
/// the old tile-part lengths, goes too (it is optional, an index only). Packet data is copied byte for byte.
/// </summary>
internal static class Jpeg2000Codestream
{
    private const ushort StartOfCodestream = 0xFF4F, EndOfCodestream = 0xFFD9, StartOfTile = 0xFF90, StartOfData = 0xFF93;
    private const ushort Comment = 0xFF64, TileLengths = 0xFF55;
    private const int SotSegmentLength = 10;

    /// <summary>The codestream without its COM markers, or null when it has none (then nothing is allocated).</summary>
    /// <exception cref="DeidentificationException">The codestream cannot be walked (<see cref="DeidentificationFailure.CodestreamMetadataUnwalkable"/>).</exception>
    public static byte[]? StripMetadata(ReadOnlySpan<byte> codestream)
    {
        if (codestream.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(codestream) != StartOfCodestream)
        {
            // A JP2 file (boxes, which may hold XML and UUID metadata) is not what DICOM encapsulates (PS3.5 A.4.4).
            throw Unwalkable(codestream.Length >= 8 && codestream[4..8].SequenceEqual("jP  "u8) ? "it is a JP2 file, not a codestream" : "it does not start with SOC");
        }
        var edits = new CodestreamEdits();
        List<(int Start, int Length)>? tileLengthSegments = null;
        bool tilePartShortened = false;
        int at = 2;
        // Main header, up to the first SOT.
        while (true)
        {
            var (marker, length) = Segment(codestream, at);
            if (marker == StartOfTile) break;
            if (marker == Comment) edits.Remove(at, 2 + length);
            else if (marker == TileLengths) (tileLengthSegments ??= []).Add((at, 2 + length));
            at += 2 + length;
        }
        // Tile-parts, each SOT … SOD and its data, until EOC.
        while (at < codestream.Length)
        {
            ushort marker = at + 2 <= codestream.Length ? BinaryPrimitives.ReadUInt16BigEndian(codestream[at..]) : (ushort)0;
            if (marker == EndOfCodestream)
            {
                edits.RemoveTrailer(codestream, at + 2, [0xFF, 0x4F], "JPEG 2000");
                break;
            }
            if (marker != StartOfTile) throw Unwalkable($"SOT or EOC was expected at byte {at}");
            var (_, sotLength) = Segment(codestream, at);
            if (sotLength != SotSegmentLength) throw Unwalkable($"the SOT segment at byte {at} has length {sotLength}");
            uint psot = BinaryPrimitives.ReadUInt32BigEndian(codestream[(at + 6)..]);
            int tilePart = at;
            int removed = 0;
            at += 2 + sotLength;
            while (true)
            {
                if (at + 2 <= codestream.Length && BinaryPrimitives.ReadUInt16BigEndian(codestream[at..]) == StartOfData) break;
                var (headerMarker, length) = Segment(codestream, at);
                if (headerMarker == Comment)
                {
                    edits.Remove(at, 2 + length);
                    removed += 2 + length;
                }
                at += 2 + length;
            }
            // Psot 0: the last tile-part runs to EOC. A Psot past the end is a truncated codestream: nothing follows to hide anything.
            long end = psot == 0 ? codestream.Length : tilePart + (long)psot;
            if (end < at + 2) throw Unwalkable($"the tile-part at byte {tilePart} is shorter than its header");
            if (removed > 0 && psot != 0)
            {
                var sot = codestream.Slice(tilePart, 2 + SotSegmentLength).ToArray();
                BinaryPrimitives.WriteUInt32BigEndian(sot.AsSpan(6), psot - (uint)removed);
                edits.Replace(tilePart, sot.Length, sot);
                tilePartShortened = true;
            }
            if (psot == 0 || end >= codestream.Length) break;
            at = (int)end;
        }
        if (tilePartShortened && tileLengthSegments is not null)
        {
            foreach (var (start, length) in tileLengthSegments) edits.Remove(start, length);
        }
        return edits.ApplyTo(codestream);
    }

    /// <summary>The marker at <paramref name="at"/> and its segment length (Lxxx, which counts itself but not the marker).</summary>
    private static (ushort Marker, int Length) Segment(ReadOnlySpan<byte> codestream, int at)
    {
        if (at + 4 > codestream.Length) throw Unwalkable($"it ends inside the header at byte {at}");
        ushort marker = BinaryPrimitives.ReadUInt16BigEndian(codestream[at..]);
        // 0xFF30–0xFF3F are reserved markers without a segment; none belongs in a header.
        if (marker < 0xFF40) throw Unwalkable($"a marker was expected at byte {at}");
        int length = BinaryPrimitives.ReadUInt16BigEndian(codestream[(at + 2)..]);
        if (length < 2 || at + 2 + length > codestream.Length) throw Unwalkable($"the segment of marker 0x{marker:X4} at byte {at} runs past the end");
        return (marker, length);
    }

    private static DeidentificationException Unwalkable(string why) => CodestreamEdits.Unwalkable("JPEG 2000", why);
}
