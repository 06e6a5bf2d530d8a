using System.Text;

namespace CloudAnon.Dicom;

/// <summary>A data element of a <see cref="DicomDataset"/>: a value, a sequence, or encapsulated fragments.</summary>
public abstract class DicomElement(DicomTag tag, DicomVR vr)
{
    public DicomTag Tag { get; } = tag;

    /// <summary>The VR as encoded (explicit) or from the dictionary (implicit).</summary>
    public DicomVR VR { get; } = vr;
}

/// <summary>
/// An element with a value: bytes in memory (little-endian byte order whatever the source), or, for long values,
/// a <see cref="BulkDataReference"/> into the source.
/// </summary>
public sealed class DicomValueElement : DicomElement
{
    public DicomValueElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> bytes) : base(tag, vr) => Bytes = bytes;

    public DicomValueElement(DicomTag tag, DicomVR vr, BulkDataReference bulk) : base(tag, vr) => Bulk = bulk;

    /// <summary>The value in little-endian byte order; empty when <see cref="Bulk"/> holds it.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public BulkDataReference? Bulk { get; }

    public long Length => Bulk?.Length ?? Bytes.Length;

    /// <summary>A string value element, padded to even length with the VR's padding byte.</summary>
    public static DicomValueElement FromString(DicomTag tag, DicomVR vr, string value, DicomCharacterSet? characterSet = null)
    {
        byte[] text = vr.IsCharacterSetDependent && characterSet is not null ? characterSet.Encode(value, vr) : Encoding.ASCII.GetBytes(value);
        if (text.Length % 2 == 0) return new DicomValueElement(tag, vr, text);
        var padded = new byte[text.Length + 1];
        text.CopyTo(padded, 0);
        padded[^1] = vr.PaddingByte;
        return new DicomValueElement(tag, vr, padded);
    }

    /// <summary>The value as ASCII text without trailing padding, for UIDs, code strings and numbers. Not for character-set dependent text.</summary>
    public string GetAsciiString()
    {
        if (Bulk is not null) throw new InvalidOperationException($"Element {Tag} holds bulk data, not a string.");
        return Encoding.ASCII.GetString(Bytes.Span).TrimEnd(' ', '\0');
    }
}

/// <summary>A sequence of items, each a nested data set.</summary>
public sealed class DicomSequence(DicomTag tag, DicomVR vr, List<DicomDataset> items, bool undefinedLength, bool implicitLittleEndianContent = false)
    : DicomElement(tag, vr)
{
    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset> items) : this(tag, DicomVR.SQ, [.. items], undefinedLength: false) { }

    public List<DicomDataset> Items { get; } = items;

    /// <summary>Encoded with undefined length and a sequence delimiter.</summary>
    public bool UndefinedLength { get; } = undefinedLength;

    /// <summary>A UN element of undefined length, whose items are Implicit VR Little Endian whatever the data set's syntax (PS3.5 6.2.2).</summary>
    public bool ImplicitLittleEndianContent { get; } = implicitLittleEndianContent;
}

/// <summary>Encapsulated pixel data: the Basic Offset Table (first item) and the compressed fragments, passed through unchanged.</summary>
public sealed class DicomFragments(DicomTag tag, DicomVR vr, List<DicomFragment> fragments) : DicomElement(tag, vr)
{
    public List<DicomFragment> Fragments { get; } = fragments;
}

/// <summary>One item of encapsulated pixel data: bytes in memory or a reference into the source.</summary>
public sealed record DicomFragment(ReadOnlyMemory<byte> Bytes, BulkDataReference? Bulk)
{
    public long Length => Bulk?.Length ?? Bytes.Length;
}
