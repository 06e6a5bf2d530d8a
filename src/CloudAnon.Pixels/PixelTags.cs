using System.Buffers.Binary;
using System.Globalization;
using CloudAnon.Dicom;

namespace CloudAnon.Pixels;

/// <summary>Typed access to the values of the attributes the pixel work reads and writes (named in <see cref="DicomTags"/>).</summary>
internal static class PixelTags
{
    /// <summary>(0028,1101)–(0028,1103) and (0028,1201)–(0028,1203): red, green, blue palette descriptors and data.</summary>
    public static DicomTag PaletteDescriptor(int channel) => new(0x0028, (ushort)(0x1101 + channel));
    public static DicomTag PaletteData(int channel) => new(0x0028, (ushort)(0x1201 + channel));

    /// <summary>The first value of a US/SS/UL element, or null when absent, empty or bulk.</summary>
    public static int? Number(DicomDataset dataset, DicomTag tag, int index = 0)
    {
        if (dataset.Find(tag) is not DicomValueElement { Bulk: null } element) return null;
        var bytes = element.Bytes.Span;
        int size = element.VR == DicomVR.UL || element.VR == DicomVR.SL ? 4 : 2;
        if (bytes.Length < (index + 1) * size) return null;
        var value = bytes.Slice(index * size, size);
        return size == 4 ? (int)BinaryPrimitives.ReadUInt32LittleEndian(value) : BinaryPrimitives.ReadUInt16LittleEndian(value);
    }

    /// <summary>An IS (integer string) value, or null when absent or not a number.</summary>
    public static int? IntegerString(DicomDataset dataset, DicomTag tag) =>
        int.TryParse(dataset.GetAsciiString(tag), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

    public static void SetUnsignedShort(DicomDataset dataset, DicomTag tag, int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, checked((ushort)value));
        dataset.Set(new DicomValueElement(tag, DicomVR.US, bytes));
    }

    public static void SetCodeString(DicomDataset dataset, DicomTag tag, string value) =>
        dataset.Set(DicomValueElement.FromString(tag, DicomVR.CS, value));
}
