using System.Buffers.Binary;
using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.Network.Stow;

/// <summary>
/// The preamble, "DICM" prefix and File Meta Information at the start of a STOW-RS part (PS3.10 7.1), read from the
/// part's stream and checked: the group length leads the meta (as PS3.10 requires), every element of the group reads,
/// and the SOP Class, SOP Instance and Transfer Syntax UIDs are there. The meta is kept as the part carries it; the
/// preamble, free bytes for other applications, is zeroed.
/// </summary>
internal sealed class Part10Header
{
    /// <summary>More File Meta Information than any real file has (a few hundred bytes): beyond it the part is refused.</summary>
    public const int MaxMetaLength = 64 * 1024;

    private const int PrefixEnd = 132;
    private const int GroupLengthElementLength = 12;
    private static readonly DicomTag SopClassUidTag = new(0x0002, 0x0002);
    private static readonly DicomTag TransferSyntaxUidTag = new(0x0002, 0x0010);

    private Part10Header(byte[] bytes, string sopClassUid, string sopInstanceUid, string transferSyntaxUid)
    {
        Bytes = bytes;
        SopClassUid = sopClassUid;
        SopInstanceUid = sopInstanceUid;
        TransferSyntaxUid = transferSyntaxUid;
    }

    /// <summary>Zeroed preamble, prefix and the File Meta Information as received: what goes before the data set in ingress.</summary>
    public byte[] Bytes { get; }

    public string SopClassUid { get; }
    public string SopInstanceUid { get; }
    public string TransferSyntaxUid { get; }

    /// <summary>Reads the header off <paramref name="part"/>, which is left at the first byte of the data set.</summary>
    /// <exception cref="DicomFormatException">Not a Part 10 file with a readable, complete File Meta Information.</exception>
    public static async Task<Part10Header> ReadAsync(Stream part, CancellationToken cancellationToken)
    {
        var head = new byte[PrefixEnd + GroupLengthElementLength];
        await ReadExactlyAsync(part, head, cancellationToken).ConfigureAwait(false);
        if (!head.AsSpan(128, 4).SequenceEqual("DICM"u8)) throw Malformed("no DICM prefix at offset 128", 128);
        var groupLength = head.AsSpan(PrefixEnd);
        if (BinaryPrimitives.ReadUInt16LittleEndian(groupLength) != 0x0002 || BinaryPrimitives.ReadUInt16LittleEndian(groupLength[2..]) != 0x0000
            || !groupLength.Slice(4, 2).SequenceEqual("UL"u8) || BinaryPrimitives.ReadUInt16LittleEndian(groupLength[6..]) != 4)
        {
            throw Malformed("the File Meta Information does not start with its group length (0002,0000) UL", PrefixEnd);
        }

        uint metaLength = BinaryPrimitives.ReadUInt32LittleEndian(groupLength[8..]);
        if (metaLength is 0 or > MaxMetaLength) throw Malformed("the File Meta Information group length is 0 or over 64 KiB", PrefixEnd);
        var bytes = new byte[head.Length + (int)metaLength];
        head.AsSpan(128).CopyTo(bytes.AsSpan(128));
        await ReadExactlyAsync(part, bytes.AsMemory(head.Length), cancellationToken).ConfigureAwait(false);

        var (sopClass, sopInstance, syntax) = ReadMeta(bytes.AsSpan(head.Length), head.Length);
        return new Part10Header(bytes, Required(sopClass, SopClassUidTag), Required(sopInstance, DicomTag.MediaStorageSopInstanceUid), Required(syntax, TransferSyntaxUidTag));
    }

    /// <summary>Every element of the meta, to its exact end: each in group 0002, none cut, nothing left over.</summary>
    private static (string? SopClass, string? SopInstance, string? Syntax) ReadMeta(ReadOnlySpan<byte> meta, long offset)
    {
        string? sopClass = null, sopInstance = null, syntax = null;
        var reader = new DicomReader(meta, isFinalBlock: true, new DicomReaderState(explicitVR: true, bigEndian: false, offset));
        while (reader.Read())
        {
            if (reader.Tag.Group != 0x0002) throw Malformed("an element outside group 0002 within the File Meta Information group length", reader.TokenOffset);
            if (reader.Depth > 0 || reader.TokenType != DicomTokenType.Element) continue;
            if (reader.Tag == SopClassUidTag) sopClass = UidValue(reader.ValueSpan);
            else if (reader.Tag == DicomTag.MediaStorageSopInstanceUid) sopInstance = UidValue(reader.ValueSpan);
            else if (reader.Tag == TransferSyntaxUidTag) syntax = UidValue(reader.ValueSpan);
        }

        if (reader.BytesConsumed != meta.Length) throw Malformed("the File Meta Information group length does not end on an element", offset + reader.BytesConsumed);
        return (sopClass, sopInstance, syntax);
    }

    private static string Required(string? uid, DicomTag tag) =>
        DicomUid.IsValid(uid) ? uid! : throw new DicomFormatException(DicomFormatErrorKind.Malformed, "a required File Meta Information UID is missing or not a UID", 0, tag);

    private static string UidValue(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    private static async Task ReadExactlyAsync(Stream part, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await part.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            throw new DicomFormatException(DicomFormatErrorKind.Truncated, "the part ends within its preamble or File Meta Information", 0);
        }
    }

    private static DicomFormatException Malformed(string reason, long offset) => new(DicomFormatErrorKind.Malformed, reason, offset);
}
