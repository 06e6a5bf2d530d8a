using System.Buffers.Binary;

namespace CloudAnon.Pixels.Codecs;

/// <summary>
/// Walks a JPEG (ISO 10918-1) or JPEG-LS (ISO 14495-1) codestream marker segment by marker segment, without decoding
/// it, and removes the segments that carry metadata rather than image: every APPn except a JFIF APP0 (its thumbnail
/// emptied) and an Adobe APP14 (decoders read the colour transform there), and every COM. The entropy-coded data,
/// tables and frame and scan headers are copied byte for byte, so the decoded pixels do not change.
/// </summary>
internal static class JpegCodestream
{
    private const byte StartOfImage = 0xD8, EndOfImage = 0xD9, StartOfScan = 0xDA, Comment = 0xFE, Temporary = 0x01;
    private const byte App0 = 0xE0, App14 = 0xEE, App15 = 0xEF;
    private const int JfifWithoutThumbnail = 16; // length field (2) + "JFIF\0" (5) + version, units, densities (7) + thumbnail size (2)

    /// <summary>The codestream without its metadata segments, or null when it has none.</summary>
    /// <exception cref="DeidentificationException">The codestream cannot be walked (<see cref="DeidentificationFailure.CodestreamMetadataUnwalkable"/>).</exception>
    public static byte[]? StripMetadata(ReadOnlySpan<byte> codestream)
    {
        if (codestream.Length < 2 || codestream[0] != 0xFF || codestream[1] != StartOfImage) throw Unwalkable("it does not start with SOI");
        var edits = new CodestreamEdits();
        int at = 2;
        bool inScan = false;
        while (at < codestream.Length)
        {
            if (inScan)
            {
                at = NextMarker(codestream, at);
                inScan = false;
                continue;
            }
            if (codestream[at] != 0xFF) throw Unwalkable($"a marker was expected at byte {at}");
            int start = at;
            while (at + 1 < codestream.Length && codestream[at + 1] == 0xFF) at++; // fill bytes
            if (at + 1 >= codestream.Length) throw Unwalkable("it ends inside a marker");
            byte marker = codestream[at + 1];
            at += 2;
            if (marker == EndOfImage)
            {
                edits.RemoveTrailer(codestream, at, [0xFF, StartOfImage], "JPEG");
                break;
            }
            if (marker is StartOfImage or Temporary or (>= 0xD0 and <= 0xD7)) continue; // no length field
            if (marker == 0x00 || at + 2 > codestream.Length) throw Unwalkable($"marker 0xFF{marker:X2} at byte {start} is not valid here");
            int length = BinaryPrimitives.ReadUInt16BigEndian(codestream[at..]);
            if (length < 2 || at + length > codestream.Length) throw Unwalkable($"the segment of marker 0xFF{marker:X2} at byte {start} runs past the end");
            var segment = codestream.Slice(at, length);
            at += length;
            if (marker == StartOfScan) inScan = true;
            else if (marker == Comment || (marker is >= App0 and <= App15 && !IsKeptApplicationSegment(marker, segment))) edits.Remove(start, at - start);
            else if (marker == App0 && length > JfifWithoutThumbnail) edits.Replace(start, at - start, JfifWithoutItsThumbnail(segment));
        }
        return edits.ApplyTo(codestream);
    }

    /// <summary>
    /// The position of the marker that ends entropy-coded data starting at <paramref name="at"/>, or the end of the data.
    /// Inside a scan 0xFF is followed by 0x00 (stuffing, 10918), by a byte below 0x80 (bit stuffing, JPEG-LS) or by a
    /// restart marker; anything else starts a marker.
    /// </summary>
    private static int NextMarker(ReadOnlySpan<byte> codestream, int at)
    {
        while (true)
        {
            int found = codestream[at..].IndexOf((byte)0xFF);
            if (found < 0) return codestream.Length;
            at += found;
            if (at + 1 >= codestream.Length) return codestream.Length;
            byte next = codestream[at + 1];
            if (next >= 0x80 && next is not (>= 0xD0 and <= 0xD7)) return at;
            at += 2;
        }
    }

    private static bool IsKeptApplicationSegment(byte marker, ReadOnlySpan<byte> segment) => marker switch
    {
        App0 => segment.Length >= JfifWithoutThumbnail - 2 && segment[2..].StartsWith("JFIF\0"u8),
        App14 => segment[2..].StartsWith("Adobe"u8),
        _ => false,
    };

    /// <summary>A JFIF APP0 segment with its thumbnail (a small copy of the image, which may show what the image shows) taken out.</summary>
    private static byte[] JfifWithoutItsThumbnail(ReadOnlySpan<byte> segment)
    {
        var replacement = new byte[2 + JfifWithoutThumbnail];
        replacement[0] = 0xFF;
        replacement[1] = App0;
        segment[..(JfifWithoutThumbnail - 2)].CopyTo(replacement.AsSpan(2));
        BinaryPrimitives.WriteUInt16BigEndian(replacement.AsSpan(2), JfifWithoutThumbnail);
        return replacement; // the thumbnail width and height (last two bytes) stay zero
    }

    private static DeidentificationException Unwalkable(string why) => CodestreamEdits.Unwalkable("JPEG", why);
}
