using System.Buffers.Binary;
using System.Text;
using CloudAnon.Pixels.Codecs;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// The JPEG and JPEG 2000 walkers on codestreams written byte by byte: what they keep byte for byte (scan data with
/// stuffing and restart markers, JPEG-LS bit stuffing, tables), what they take out, and what they refuse to walk.
/// </summary>
public sealed class CodestreamWalkerTests
{
    private static readonly byte[] Soi = [0xFF, 0xD8], Eoi = [0xFF, 0xD9];

    private static byte[] Segment(byte marker, byte[] content)
    {
        var header = new byte[] { 0xFF, marker, 0, 0 };
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(content.Length + 2));
        return [.. header, .. content];
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    // A frame header, a scan header and entropy-coded data with a stuffed 0xFF00, a restart marker and a fill byte.
    private static readonly byte[] Image =
    [
        .. Segment(0xDB, new byte[65]), .. Segment(0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
        .. Segment(0xDA, [1, 1, 0, 0, 63, 0]), 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF,
    ];

    [Fact]
    public void Jpeg_keeps_jfif_adobe_and_the_image_byte_for_byte_and_drops_every_other_application_segment_and_comment()
    {
        byte[] jfif = Segment(0xE0, [.. Ascii("JFIF\0"), 1, 2, 0, 0, 1, 0, 1, 0, 0]);
        byte[] adobe = Segment(0xEE, [.. Ascii("Adobe"), 0, 100, 0, 0, 0, 0, 1]);
        byte[] input = [.. Soi, .. jfif, .. Segment(0xE1, Ascii("Exif\0\0ARTIST")), .. adobe, .. Segment(0xE2, Ascii("ICC_PROFILE")),
            .. Segment(0xEF, Ascii("APP15")), .. Segment(0xFE, Ascii("COMMENT")), .. Image, .. Segment(0xFE, Ascii("AFTERSCAN")), .. Eoi];

        byte[] output = JpegCodestream.StripMetadata(input)!;

        // The scan's trailing fill byte (0xFF) belonged to the COM marker it preceded, and went with it.
        Assert.Equal([.. Soi, .. jfif, .. adobe, .. Image[..^1], .. Eoi], output);
    }

    [Fact]
    public void Jpeg_without_metadata_is_left_alone_and_its_zero_padding_too()
    {
        byte[] input = [.. Soi, .. Image, .. Eoi, 0];

        Assert.Null(JpegCodestream.StripMetadata(input));
    }

    [Fact]
    public void A_jfif_thumbnail_is_emptied_and_a_pad_byte_after_eoi_dropped()
    {
        byte[] thumbnail = Ascii("THUMBNAILPIXELTEXT"); // 2 × 3 RGB
        byte[] input = [.. Soi, .. Segment(0xE0, [.. Ascii("JFIF\0"), 1, 2, 0, 0, 1, 0, 1, 2, 3, .. thumbnail]), .. Image, .. Eoi, 0xFF];

        byte[] output = JpegCodestream.StripMetadata(input)!;

        Assert.Equal([.. Soi, .. Segment(0xE0, [.. Ascii("JFIF\0"), 1, 2, 0, 0, 1, 0, 1, 0, 0]), .. Image, .. Eoi], output);
    }

    [Fact]
    public void A_comment_between_long_scans_is_found_wherever_it_falls_against_the_search_vector()
    {
        var random = new Random(19);
        byte[] scanHeader = Segment(0xDA, [1, 1, 0, 0, 63, 0]);
        byte[] head = [.. Soi, .. Segment(0xDB, new byte[65]), .. Segment(0xC2, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]), .. scanHeader];
        for (int length = 200; length < 330; length++)
        {
            byte[] firstScan = EntropyCodedData(random, length), secondScan = [.. scanHeader, .. EntropyCodedData(random, 100)];
            byte[] input = [.. head, .. firstScan, .. Segment(0xFE, Ascii("BETWEEN SCANS")), .. secondScan, .. Eoi];

            Assert.Equal([.. head, .. firstScan, .. secondScan, .. Eoi], JpegCodestream.StripMetadata(input)!);
        }
    }

    /// <summary>Entropy-coded data as an encoder writes it: every 0xFF stuffed with 0x00, restart markers, 0xFF often.</summary>
    private static byte[] EntropyCodedData(Random random, int length)
    {
        var data = new List<byte>();
        while (data.Count < length)
        {
            switch (random.Next(8))
            {
                case 0: data.AddRange([0xFF, 0x00]); break;
                case 1: data.AddRange([0xFF, (byte)(0xD0 + random.Next(8))]); break;
                default: data.Add((byte)random.Next(0xFF)); break;
            }
        }
        return [.. data];
    }

    [Fact]
    public void Jpeg_ls_bit_stuffed_scan_data_is_not_taken_for_markers()
    {
        // After 0xFF, JPEG-LS scan data continues with a byte below 0x80 (here 0x7F, 0x12): neither is a marker.
        byte[] scan = [.. Segment(0xF7, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]), .. Segment(0xDA, [1, 1, 0, 0, 0, 0]), 0xFF, 0x7F, 0xFF, 0x12, 0x00];
        byte[] input = [.. Soi, .. Segment(0xE1, Ascii("Exif\0\0")), .. scan, .. Eoi];

        Assert.Equal([.. Soi, .. scan, .. Eoi], JpegCodestream.StripMetadata(input)!);
    }

    [Theory]
    [InlineData("no SOI")]
    [InlineData("a length past the end")]
    [InlineData("garbage where a marker belongs")]
    [InlineData("a second codestream after EOI")]
    public void Jpeg_that_cannot_be_walked_is_refused(string defect)
    {
        byte[] input = defect switch
        {
            "no SOI" => [.. Image, .. Eoi],
            "a length past the end" => [.. Soi, 0xFF, 0xFE, 0x40, 0x00, 0x41],
            "garbage where a marker belongs" => [.. Soi, .. Segment(0xDB, new byte[65]), 0x41, 0x42],
            _ => [.. Soi, .. Image, .. Eoi, .. Soi, .. Image, .. Eoi],
        };

        var error = Assert.Throws<DeidentificationException>(() => JpegCodestream.StripMetadata(input));

        Assert.Equal(DeidentificationFailure.CodestreamMetadataUnwalkable, error.Failure);
    }

    private static byte[] J2kSegment(ushort marker, byte[] content)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(header, marker);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(content.Length + 2));
        return [.. header, .. content];
    }

    private static byte[] TilePart(uint psot, params byte[][] headerSegments)
    {
        byte[] sot = J2kSegment(0xFF90, [0, 0, 0, 0, 0, 0, 0, 1]);
        BinaryPrimitives.WriteUInt32BigEndian(sot.AsSpan(6), psot);
        return [.. sot, .. headerSegments.SelectMany(s => s), 0xFF, 0x93];
    }

    [Fact]
    public void Jpeg_2000_comments_go_from_main_and_tile_part_headers_with_psot_reduced_and_tlm_dropped()
    {
        byte[] siz = J2kSegment(0xFF51, new byte[39]), cod = J2kSegment(0xFF52, new byte[10]), qcd = J2kSegment(0xFF5C, new byte[3]);
        byte[] tlm = J2kSegment(0xFF55, [0, 0x60, 0, 0, 0, 40]);
        byte[] mainComment = J2kSegment(0xFF64, [0, 1, .. Ascii("MAIN")]), tileComment = J2kSegment(0xFF64, [0, 1, .. Ascii("TILE")]);
        byte[] data = [0x01, 0xFF, 0x91, 0x02]; // packet data may hold marker-like bytes (SOP)
        int tileLength = 12 + tileComment.Length + 2 + data.Length;
        byte[] input = [0xFF, 0x4F, .. siz, .. mainComment, .. cod, .. tlm, .. qcd, .. TilePart((uint)tileLength, tileComment), .. data, 0xFF, 0xD9];

        byte[] output = Jpeg2000Codestream.StripMetadata(input)!;

        byte[] expected = [0xFF, 0x4F, .. siz, .. cod, .. qcd, .. TilePart((uint)(tileLength - tileComment.Length)), .. data, 0xFF, 0xD9];
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Jpeg_2000_whose_last_tile_part_runs_to_eoc_keeps_psot_zero()
    {
        byte[] comment = J2kSegment(0xFF64, [0, 1, .. Ascii("TILE")]);
        byte[] head = [0xFF, 0x4F, .. J2kSegment(0xFF51, new byte[39])];
        byte[] input = [.. head, .. TilePart(0, comment), 0x01, 0x02, 0xFF, 0xD9];

        Assert.Equal([.. head, .. TilePart(0), 0x01, 0x02, 0xFF, 0xD9], Jpeg2000Codestream.StripMetadata(input)!);
    }

    [Theory]
    [InlineData("a JP2 file")]
    [InlineData("a segment past the end")]
    [InlineData("garbage after the tile-part")]
    public void Jpeg_2000_that_cannot_be_walked_is_refused(string defect)
    {
        byte[] head = [0xFF, 0x4F, .. J2kSegment(0xFF51, new byte[39])];
        byte[] input = defect switch
        {
            "a JP2 file" => [0, 0, 0, 12, .. Ascii("jP  "), 0x0D, 0x0A, 0x87, 0x0A],
            "a segment past the end" => [.. head, 0xFF, 0x64, 0x10, 0x00, 0x00],
            _ => [.. head, .. TilePart(14), 0x41, 0x42, 0x43, 0x44],
        };

        var error = Assert.Throws<DeidentificationException>(() => Jpeg2000Codestream.StripMetadata(input));

        Assert.Equal(DeidentificationFailure.CodestreamMetadataUnwalkable, error.Failure);
    }
}
