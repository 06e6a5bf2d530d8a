using System.Buffers.Binary;
using System.Text;
using CloudAnon.Dicom;
using CloudAnon.Network.Pdu;

namespace CloudAnon.Network.Dimse;

/// <summary>DIMSE command fields this gateway answers (PS3.7 E.1).</summary>
internal static class CommandField
{
    public const ushort CStoreRequest = 0x0001;
    public const ushort CEchoRequest = 0x0030;
    public const ushort ResponseBit = 0x8000;
}

/// <summary>DIMSE status codes this gateway sends (PS3.7 C, PS3.4 B.2.3).</summary>
public static class DimseStatus
{
    public const ushort Success = 0x0000;
    public const ushort SopClassNotSupported = 0x0122;
    public const ushort UnrecognizedOperation = 0x0211;
    public const ushort OutOfResources = 0xA700;
    public const ushort DataSetDoesNotMatchSopClass = 0xA900;
    public const ushort CannotUnderstand = 0xC000;
}

/// <summary>
/// A DIMSE command set (group 0000, always Implicit VR Little Endian), read with the codec's <see cref="DicomReader"/> and
/// written with its <see cref="DicomWriter"/>. Only the elements a C-ECHO or C-STORE needs are kept.
/// </summary>
internal sealed record DimseCommand(ushort Field, ushort MessageId, string? AffectedSopClassUid, string? AffectedSopInstanceUid, bool HasDataSet)
{
    public const int MaxLength = 64 * 1024;
    private const ushort NoDataSet = 0x0101;

    private static readonly DicomTag GroupLength = new(0x0000, 0x0000);
    private static readonly DicomTag AffectedSopClass = new(0x0000, 0x0002);
    private static readonly DicomTag Field_ = new(0x0000, 0x0100);
    private static readonly DicomTag MessageIdTag = new(0x0000, 0x0110);
    private static readonly DicomTag MessageIdBeingRespondedTo = new(0x0000, 0x0120);
    private static readonly DicomTag DataSetType = new(0x0000, 0x0800);
    private static readonly DicomTag Status = new(0x0000, 0x0900);
    private static readonly DicomTag ErrorComment = new(0x0000, 0x0902);
    private static readonly DicomTag AffectedSopInstance = new(0x0000, 0x1000);

    /// <exception cref="DicomNetworkException">Not a command set: not group 0000, a sequence, or no command field.</exception>
    public static DimseCommand Parse(ReadOnlySpan<byte> encoded)
    {
        ushort? field = null, dataSetType = null;
        ushort messageId = 0;
        string? sopClass = null, sopInstance = null;
        try
        {
            var reader = new DicomReader(encoded, isFinalBlock: true, new DicomReaderState(explicitVR: false, bigEndian: false));
            while (reader.Read())
            {
                if (reader.TokenType != DicomTokenType.Element || reader.Tag.Group != 0x0000 || reader.HasValueChunks)
                {
                    throw new DicomNetworkException($"command set holds {reader.TokenType} {reader.Tag}, not a group 0000 element");
                }

                var value = reader.ValueSpan;
                if (reader.Tag == Field_) field = UInt16(value);
                else if (reader.Tag == MessageIdTag) messageId = UInt16(value) ?? 0;
                else if (reader.Tag == DataSetType) dataSetType = UInt16(value);
                else if (reader.Tag == AffectedSopClass) sopClass = Uid(value);
                else if (reader.Tag == AffectedSopInstance) sopInstance = Uid(value);
            }
        }
        catch (DicomFormatException e)
        {
            throw new DicomNetworkException($"command set is not readable: {e.Reason} (offset {e.Offset})");
        }

        return field is { } command && dataSetType is { } type
            ? new DimseCommand(command, messageId, sopClass, sopInstance, type != NoDataSet)
            : throw new DicomNetworkException("command set lacks Command Field or Command Data Set Type");
    }

    /// <summary>The response to this request: same SOP class and instance, no data set, <paramref name="status"/>.</summary>
    public byte[] EncodeResponse(ushort status, string? errorComment = null)
    {
        var elements = new List<(DicomTag Tag, DicomVR VR, byte[] Value)>();
        if (AffectedSopClassUid is not null) elements.Add((AffectedSopClass, DicomVR.UI, Padded(AffectedSopClassUid, 0)));
        elements.Add((Field_, DicomVR.US, UInt16Bytes((ushort)(Field | CommandField.ResponseBit))));
        elements.Add((MessageIdBeingRespondedTo, DicomVR.US, UInt16Bytes(MessageId)));
        elements.Add((DataSetType, DicomVR.US, UInt16Bytes(NoDataSet)));
        elements.Add((Status, DicomVR.US, UInt16Bytes(status)));
        if (errorComment is not null) elements.Add((ErrorComment, DicomVR.LO, Padded(errorComment[..Math.Min(errorComment.Length, 64)], (byte)' ')));
        if (AffectedSopInstanceUid is not null) elements.Add((AffectedSopInstance, DicomVR.UI, Padded(AffectedSopInstanceUid, 0)));

        using var output = new MemoryStream();
        using (var writer = new DicomWriter(output, explicitVR: false, bigEndian: false))
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)elements.Sum(e => 8 + e.Value.Length));
            writer.WriteElement(GroupLength, DicomVR.UL, length);
            foreach (var (tag, vr, value) in elements)
            {
                writer.WriteElement(tag, vr, value);
            }

            writer.Flush();
        }

        return output.ToArray();
    }

    private static ushort? UInt16(ReadOnlySpan<byte> value) =>
        value.Length == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(value) : throw new DicomNetworkException($"a US command element of {value.Length} bytes");

    private static string Uid(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    private static byte[] UInt16Bytes(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Padded(string text, byte padding)
    {
        var bytes = new byte[(text.Length + 1) & ~1];
        Encoding.ASCII.GetBytes(text, bytes);
        if (bytes.Length > text.Length) bytes[^1] = padding;
        return bytes;
    }
}
