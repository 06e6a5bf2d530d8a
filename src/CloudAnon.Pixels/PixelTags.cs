using System.Buffers.Binary;
using System.Globalization;
using CloudAnon.Dicom;

namespace CloudAnon.Pixels;

/// <summary>The attributes the pixel work reads and writes, and typed access to their values.</summary>
internal static class PixelTags
{
    public static readonly DicomTag SamplesPerPixel = new(0x0028, 0x0002);
    public static readonly DicomTag PhotometricInterpretation = new(0x0028, 0x0004);
    public static readonly DicomTag PlanarConfiguration = new(0x0028, 0x0006);
    public static readonly DicomTag NumberOfFrames = new(0x0028, 0x0008);
    public static readonly DicomTag Rows = new(0x0028, 0x0010);
    public static readonly DicomTag Columns = new(0x0028, 0x0011);
    public static readonly DicomTag BitsAllocated = new(0x0028, 0x0100);
    public static readonly DicomTag BitsStored = new(0x0028, 0x0101);
    public static readonly DicomTag HighBit = new(0x0028, 0x0102);
    public static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);
    public static readonly DicomTag BurnedInAnnotation = new(0x0028, 0x0301);
    public static readonly DicomTag LossyImageCompression = new(0x0028, 0x2110);
    public static readonly DicomTag Modality = new(0x0008, 0x0060);
    public static readonly DicomTag Manufacturer = new(0x0008, 0x0070);
    public static readonly DicomTag ManufacturerModelName = new(0x0008, 0x1090);
    public static readonly DicomTag SequenceOfUltrasoundRegions = new(0x0018, 0x6011);
    public static readonly DicomTag RegionLocationMinX0 = new(0x0018, 0x6018);
    public static readonly DicomTag RegionLocationMinY0 = new(0x0018, 0x601A);
    public static readonly DicomTag RegionLocationMaxX1 = new(0x0018, 0x601C);
    public static readonly DicomTag RegionLocationMaxY1 = new(0x0018, 0x601E);

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
