using System.Globalization;

namespace CloudAnon.Dicom;

/// <summary>A data element tag: group number in the high 16 bits, element number in the low 16 bits.</summary>
public readonly record struct DicomTag(uint Value) : IComparable<DicomTag>
{
    public DicomTag(ushort group, ushort element) : this(((uint)group << 16) | element) { }

    public ushort Group => (ushort)(Value >> 16);
    public ushort Element => (ushort)Value;

    /// <summary>Odd groups other than 1, 3, 5 and 7 (PS3.5 7.8); FFFE delimiters are not private.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0007 && Group != 0xFFFF;

    /// <summary>(gggg,0010)-(gggg,00FF) in a private group: reserves a block of 256 elements.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x0010 and <= 0x00FF;

    /// <summary>For a private data element (gggg,xxee) with xx ≥ 0x10, the creator element (gggg,00xx) that owns it.</summary>
    public DicomTag PrivateCreator => new(Group, (ushort)(Element >> 8));

    public bool IsGroupLength => Element == 0x0000;

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");

    public static readonly DicomTag Item = new(0xFFFE, 0xE000);
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);
    public static readonly DicomTag PixelData = new(0x7FE0, 0x0010);
    public static readonly DicomTag FileMetaInformationGroupLength = new(0x0002, 0x0000);
    public static readonly DicomTag MediaStorageSopClassUid = new(0x0002, 0x0002);
    public static readonly DicomTag MediaStorageSopInstanceUid = new(0x0002, 0x0003);
    public static readonly DicomTag TransferSyntaxUid = new(0x0002, 0x0010);
    public static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);
    public static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    public static readonly DicomTag SopInstanceUid = new(0x0008, 0x0018);
    public static readonly DicomTag StudyInstanceUid = new(0x0020, 0x000D);
    public static readonly DicomTag SeriesInstanceUid = new(0x0020, 0x000E);
    public static readonly DicomTag PatientId = new(0x0010, 0x0020);
}
