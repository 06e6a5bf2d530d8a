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
    private const byte Comment = 0xFE, App0 = 0xE0, App14 = 0xEE, App15 = 0xEF;
    private const int JfifWithoutThumbnail = 16; // length field (2) + "JFIF\0" (5) + version, units, densities (7) + thumbnail size (2)

    /// <summary>The codestream without its metadata segments, or null when it has none (then nothing is allocated).</summary>
    /// <exception cref="DeidentificationException">The codestream cannot be walked (<see cref="DeidentificationFailure.CodestreamMetadataUnwalkable"/>).</exception>
    public static byte[]? StripMetadata(ReadOnlySpan<byte> codestream)
    {
        var markers = new JpegMarkerReader(codestream, Unwalkable);
        var edits = new CodestreamEdits();
        while (markers.Read())
        {
            byte marker = markers.Marker;
            var segment = markers.Segment;
            if (marker == JpegMarkerReader.EndOfImage) edits.RemoveTrailer(codestream, markers.End, [0xFF, JpegMarkerReader.StartOfImage], "JPEG");
            else if (marker == Comment || (marker is >= App0 and <= App15 && !IsKeptApplicationSegment(marker, segment))) edits.Remove(markers.Start, markers.End - markers.Start);
            else if (marker == App0 && segment.Length > JfifWithoutThumbnail) edits.Replace(markers.Start, markers.End - markers.Start, JfifWithoutItsThumbnail(segment));
        }
        return edits.ApplyTo(codestream);
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

    private static Exception Unwalkable(string why) => CodestreamEdits.Unwalkable("JPEG", why);
}
