using System.Buffers.Binary;
using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.TestSupport;

/// <summary>
/// Codestreams with metadata planted where cameras, modalities and encoders put it, written byte by byte (a codec would
/// drop or rewrite it): EXIF in JPEG APP1 (Artist, ImageDescription, DateTimeOriginal, BodySerialNumber), APP12, APP13,
/// a JFIF thumbnail, COM; JPEG 2000 COM in the main header and in a tile-part header. The image data comes from a real
/// corpus file, so an outside decoder can judge the pixels; the DICOM file around it is written byte by byte too.
/// </summary>
public static class PlantedCodestreams
{
    public const string Artist = "EXIFARTIST^MARKER";
    public const string Description = "EXIFDESCRIPTION MARKER";
    public const string DateTimeOriginal = "2019:03:14 07:31:59";
    public const string BodySerialNumber = "BODYSERIAL4417MARKER";
    public const string PhotoshopText = "APP13PHOTOSHOPMARKER";
    public const string App12Text = "APP12DUCKYMARKER";
    public const string Comment = "JPEGCOMMENTMARKER";
    public const string ThumbnailText = "JFIFTHUMBNAILMARKER";
    public const string MainHeaderComment = "J2KMAINCOMMENTMARKER";
    public const string TilePartComment = "J2KTILEPARTCOMMENTMARKER";

    /// <summary>Every planted text; none may be in an output byte.</summary>
    public static IReadOnlyList<string> Markers { get; } =
        [Artist, Description, DateTimeOriginal, BodySerialNumber, PhotoshopText, App12Text, Comment, ThumbnailText, MainHeaderComment, TilePartComment];

    public const string JpegBaselineSource = "ts/jpeg_baseline/SC_rgb_jpeg_dcmtk.dcm";
    public const string JpegLsSource = "ts/jpegls_lossless/MR_small_jpeg_ls_lossless.dcm";
    public const string Jpeg2000Source = "ts/j2k/693_J2KI.dcm";
    public const string Htj2kSource = "ts/htj2k_lossless/HTJ2KLossless_08_RGB.dcm";

    /// <summary>
    /// A JPEG codestream with every JPEG marker planted after SOI, and a JFIF APP0 with a thumbnail holding text in
    /// place of the source's own (not for JPEG-LS, which has no JFIF and whose CharLS decoders refuse one).
    /// </summary>
    public static byte[] PlantInJpeg(byte[] jpeg, bool jfif = true)
    {
        int afterJfif = 2;
        if (jpeg[2] == 0xFF && jpeg[3] == 0xE0) afterJfif += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(4));
        byte[] planted = [.. jpeg.AsSpan(0, 2), .. jfif ? JfifWithThumbnail() : [], .. Exif(), .. Segment(0xEC, App12Text), .. Segment(0xED, "Photoshop 3.0\0" + PhotoshopText),
            .. Segment(0xFE, Comment), .. jpeg.AsSpan(afterJfif)];
        return planted.Length % 2 == 0 ? planted : [.. planted, 0]; // even, as a fragment must be
    }

    /// <summary>A JPEG 2000 codestream with a COM before the first SOT and one in the first tile-part header (its Psot made to count it).</summary>
    public static byte[] PlantInJpeg2000(byte[] codestream)
    {
        int sot = codestream.AsSpan().IndexOf(new byte[] { 0xFF, 0x90, 0x00, 0x0A });
        if (sot < 0) throw new InvalidOperationException("the source codestream has no SOT");
        byte[] mainComment = J2kComment(MainHeaderComment), tileComment = J2kComment(TilePartComment);
        var tilePart = codestream.AsSpan(sot, 12).ToArray();
        uint psot = BinaryPrimitives.ReadUInt32BigEndian(tilePart.AsSpan(6));
        if (psot != 0) BinaryPrimitives.WriteUInt32BigEndian(tilePart.AsSpan(6), psot + (uint)tileComment.Length);
        return [.. codestream.AsSpan(0, sot), .. mainComment, .. tilePart, .. tileComment, .. codestream.AsSpan(sot + 12)];
    }

    /// <summary>The single frame's codestream of a corpus file, and its Image Pixel module elements (Number of Frames left out).</summary>
    public static async Task<(byte[] Codestream, byte[][] PixelModule)> FromCorpusAsync(string relativePath)
    {
        await using var stream = System.IO.File.OpenRead(Corpus.Get(relativePath).FullPath);
        using var file = await DicomFile.OpenAsync(stream);
        var fragments = ((DicomFragments)file.Dataset.Find(DicomTag.PixelData)!).Fragments.Skip(1);
        using var codestream = new MemoryStream();
        foreach (var fragment in fragments)
        {
            if (fragment.Bulk is { } bulk) await bulk.CopyToAsync(codestream);
            else codestream.Write(fragment.Bytes.Span);
        }
        var module = file.Dataset.Elements
            .Where(e => e.Tag.Group == 0x0028 && e.Tag.Element is >= 0x0002 and <= 0x0103 && e.Tag.Element != 0x0008)
            .OfType<DicomValueElement>()
            .Select(e => RawDicom.Explicit(e.Tag.Value, e.VR.ToString(), e.Bytes.ToArray()))
            .ToArray();
        return (codestream.ToArray(), module);
    }

    /// <summary>
    /// A Part 10 file written byte by byte: identity, the given pixel module, Number of Frames, and encapsulated Pixel
    /// Data whose frames are split into the given fragments, with a Basic Offset Table when asked.
    /// </summary>
    public static byte[] File(string transferSyntaxUid, byte[][] pixelModule, byte[][][] framesAsFragments, bool basicOffsetTable, params byte[][] moreElements)
    {
        var offsets = new List<byte>();
        long position = 0;
        foreach (var frame in framesAsFragments)
        {
            offsets.AddRange(BitConverter.GetBytes((uint)position));
            position += frame.Sum(f => 8 + f.Length);
        }
        byte[][] elements =
        [
            RawDicom.Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"),
            RawDicom.Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.7"),
            RawDicom.Explicit(0x00080060, "CS", "CT"),
            RawDicom.Explicit(0x00100010, "PN", "CODESTREAM^PATIENT"),
            RawDicom.Explicit(0x00100020, "LO", "CSPID4417"),
            RawDicom.Explicit(0x0020000D, "UI", "1.2.826.0.1.3680043.10.999.70"),
            RawDicom.Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.71"),
            .. pixelModule.Where(e => Tag(e) < 0x00280008),
            RawDicom.Explicit(0x00280008, "IS", framesAsFragments.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. pixelModule.Where(e => Tag(e) > 0x00280008),
            .. moreElements,
            Encapsulated(basicOffsetTable ? [.. offsets] : [], [.. framesAsFragments.SelectMany(f => f)]),
        ];
        return RawDicom.File(transferSyntaxUid, [], [.. elements.OrderBy(Tag)]);
    }

    /// <summary>Encapsulated Pixel Data (7FE0,0010) OB of undefined length: the offset table item, one item per fragment, the sequence delimiter.</summary>
    public static byte[] Encapsulated(byte[] offsetTable, byte[][] fragments)
    {
        byte[] header = [0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF];
        return [.. header, .. Item(offsetTable), .. fragments.SelectMany(Item), 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0];
    }

    /// <summary>Splits a codestream into fragments at the given positions (fragments need not be even in a hand-written file).</summary>
    public static byte[][] Split(byte[] codestream, params int[] at)
    {
        int[] bounds = [0, .. at, codestream.Length];
        return [.. bounds.Zip(bounds.Skip(1), (start, end) => codestream[start..end])];
    }

    private static uint Tag(byte[] element) => (uint)(BinaryPrimitives.ReadUInt16LittleEndian(element) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(element.AsSpan(2)));

    private static byte[] Item(byte[] value)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xE000FFFE);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)value.Length);
        return [.. header, .. value];
    }

    private static byte[] Segment(byte marker, string text) => Segment(marker, Encoding.ASCII.GetBytes(text));

    private static byte[] Segment(byte marker, byte[] content)
    {
        var header = new byte[4];
        header[0] = 0xFF;
        header[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(content.Length + 2));
        return [.. header, .. content];
    }

    /// <summary>JFIF APP0 with a 2 × 3 RGB thumbnail whose 18 bytes are text.</summary>
    private static byte[] JfifWithThumbnail()
    {
        byte[] thumbnail = Encoding.ASCII.GetBytes(ThumbnailText.PadRight(18, '-'));
        return Segment(0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 2, 3, .. thumbnail]);
    }

    /// <summary>APP1 "Exif": a little-endian TIFF with IFD0 (ImageDescription, Artist, a pointer to the Exif IFD) and the Exif IFD (DateTimeOriginal, BodySerialNumber).</summary>
    private static byte[] Exif()
    {
        var tiff = new List<byte>();
        byte[] Ascii(string s) => [.. Encoding.ASCII.GetBytes(s), 0];
        byte[] description = Ascii(Description), artist = Ascii(Artist), date = Ascii(DateTimeOriginal), serial = Ascii(BodySerialNumber);
        const int ifd0 = 8, ifd0Size = 2 + 3 * 12 + 4, exifIfd = ifd0 + ifd0Size, exifIfdSize = 2 + 2 * 12 + 4, values = exifIfd + exifIfdSize;
        void U16(int v) => tiff.AddRange(BitConverter.GetBytes((ushort)v));
        void U32(int v) => tiff.AddRange(BitConverter.GetBytes((uint)v));
        void Entry(int tag, int type, int count, int valueOrOffset) { U16(tag); U16(type); U32(count); U32(valueOrOffset); }
        tiff.AddRange("II*\0"u8.ToArray());
        U32(ifd0);
        U16(3);
        Entry(0x010E, 2, description.Length, values);
        Entry(0x013B, 2, artist.Length, values + description.Length);
        Entry(0x8769, 4, 1, exifIfd);
        U32(0);
        U16(2);
        Entry(0x9003, 2, date.Length, values + description.Length + artist.Length);
        Entry(0xA431, 2, serial.Length, values + description.Length + artist.Length + date.Length);
        U32(0);
        tiff.AddRange([.. description, .. artist, .. date, .. serial]);
        return Segment(0xE1, [.. "Exif\0\0"u8, .. tiff]);
    }

    private static byte[] J2kComment(string text)
    {
        byte[] content = [0x00, 0x01, .. Encoding.ASCII.GetBytes(text)]; // Rcom 1: Latin text
        var header = new byte[4];
        header[0] = 0xFF;
        header[1] = 0x64;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(content.Length + 2));
        return [.. header, .. content];
    }
}
