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

    public static readonly DicomTag Item = DicomTags.Item;
    public static readonly DicomTag ItemDelimitationItem = DicomTags.ItemDelimitationItem;
    public static readonly DicomTag SequenceDelimitationItem = DicomTags.SequenceDelimitationItem;
    public static readonly DicomTag PixelData = DicomTags.PixelData;
    public static readonly DicomTag FileMetaInformationGroupLength = DicomTags.FileMetaInformationGroupLength;
    public static readonly DicomTag MediaStorageSopClassUid = DicomTags.MediaStorageSOPClassUID;
    public static readonly DicomTag MediaStorageSopInstanceUid = DicomTags.MediaStorageSOPInstanceUID;
    public static readonly DicomTag TransferSyntaxUid = DicomTags.TransferSyntaxUID;
    public static readonly DicomTag SpecificCharacterSet = DicomTags.SpecificCharacterSet;
    public static readonly DicomTag SopClassUid = DicomTags.SOPClassUID;
    public static readonly DicomTag SopInstanceUid = DicomTags.SOPInstanceUID;
    public static readonly DicomTag StudyInstanceUid = DicomTags.StudyInstanceUID;
    public static readonly DicomTag SeriesInstanceUid = DicomTags.SeriesInstanceUID;
    public static readonly DicomTag PatientId = DicomTags.PatientID;
}
