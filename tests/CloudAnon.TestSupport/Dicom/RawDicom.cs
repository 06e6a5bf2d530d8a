using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CloudAnon.TestSupport;

/// <summary>
/// Writes DICOM byte by byte, the way other systems write it, where a codec would "fix" the shape: standard attributes
/// as UN of defined length in an explicit VR data set, UN sequences whose items are Implicit VR Little Endian (PS3.5
/// 6.2.2), File Meta attributes of every kind, a deflated data set. Elements are byte arrays, built with the static
/// helpers and joined by <see cref="File"/>.
/// </summary>
public static class RawDicom
{
    /// <summary>An explicit VR Little Endian element; UN, SQ, OB and the other long-length VRs get the 4-byte length form.</summary>
    public static byte[] Explicit(uint tag, string vr, byte[] value)
    {
        bool longLength = vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV";
        var header = new byte[longLength ? 12 : 8];
        WriteTag(header, tag);
        header[4] = (byte)vr[0];
        header[5] = (byte)vr[1];
        if (longLength) BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)value.Length);
        else BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), (ushort)value.Length);
        return [.. header, .. value];
    }

    public static byte[] Explicit(uint tag, string vr, string text) => Explicit(tag, vr, Text(text, vr == "UI" ? (byte)0 : (byte)' '));

    /// <summary>A standard attribute sent as UN with the bytes of its value: what a system that did not know the tag writes.</summary>
    public static byte[] Unknown(uint tag, byte[] value) => Explicit(tag, "UN", value);

    public static byte[] Unknown(uint tag, string text, byte padding = (byte)' ') => Explicit(tag, "UN", Text(text, padding));

    /// <summary>An Implicit VR Little Endian element (inside a UN sequence's items).</summary>
    public static byte[] Implicit(uint tag, byte[] value)
    {
        var header = new byte[8];
        WriteTag(header, tag);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)value.Length);
        return [.. header, .. value];
    }

    public static byte[] Implicit(uint tag, string text) => Implicit(tag, Text(text, (byte)' '));

    /// <summary>Items of defined length holding the given elements, concatenated: the value of a sequence.</summary>
    public static byte[] Items(params byte[][] items) => [.. items.SelectMany(item => Item(item))];

    public static byte[] Item(params byte[][] elements)
    {
        byte[] content = Join(elements);
        var header = new byte[8];
        WriteTag(header, 0xFFFEE000);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)content.Length);
        return [.. header, .. content];
    }

    public static byte[] Join(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>A Part 10 file: preamble, DICM, the File Meta group (its group length computed) and the data set, deflated when the syntax says so.</summary>
    public static byte[] File(string transferSyntaxUid, byte[][] extraMeta, params byte[][] dataset)
    {
        byte[] meta = Join([Explicit(0x00020001, "OB", [0, 1]), Explicit(0x00020002, "UI", "1.2.840.10008.5.1.4.1.1.2"),
            Explicit(0x00020003, "UI", "1.2.826.0.1.3680043.10.999.7"), Explicit(0x00020010, "UI", transferSyntaxUid),
            Explicit(0x00020012, "UI", "1.2.826.0.1.3680043.10.999.8"), .. extraMeta]);
        byte[] groupLength = Explicit(0x00020000, "UL", BitConverter.GetBytes((uint)meta.Length));
        byte[] body = Join(dataset);
        if (transferSyntaxUid == "1.2.840.10008.1.2.1.99") body = Deflate(body);
        return [.. new byte[128], .. "DICM"u8, .. groupLength, .. meta, .. body];
    }

    public static byte[] Deflate(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true)) deflate.Write(bytes);
        return output.ToArray();
    }

    /// <summary>The bytes to search for markers: a deflated data set is inflated (everything after the File Meta group).</summary>
    public static byte[] Searchable(byte[] part10)
    {
        if (!Encoding.ASCII.GetString(part10).Contains("1.2.840.10008.1.2.1.99", StringComparison.Ordinal)) return part10;
        int metaLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(part10.AsSpan(140));
        int bodyStart = 144 + metaLength;
        using var inflated = new MemoryStream();
        using (var inflate = new DeflateStream(new MemoryStream(part10, bodyStart, part10.Length - bodyStart), CompressionMode.Decompress)) inflate.CopyTo(inflated);
        return [.. part10.AsSpan(0, bodyStart), .. inflated.ToArray()];
    }

    public static byte[] Text(string text, byte padding) => text.Length % 2 == 0 ? Encoding.ASCII.GetBytes(text) : [.. Encoding.ASCII.GetBytes(text), padding];

    private static void WriteTag(Span<byte> header, uint tag)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)(tag >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)tag);
    }
}
