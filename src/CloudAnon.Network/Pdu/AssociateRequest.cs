using System.Buffers.Binary;
using System.Text;

namespace CloudAnon.Network.Pdu;

/// <summary>One presentation context proposed by the requester: its ID, abstract syntax and transfer syntaxes in its order.</summary>
internal sealed record ProposedContext(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

/// <summary>
/// A parsed A-ASSOCIATE-RQ (PS3.8 9.3.2). Every item length is checked against what remains before it is sliced; items
/// this gateway does not act on (role selection, asynchronous operations, extended negotiation, user identity) are
/// read past, which declines them politely: an acceptor that leaves them out of its answer grants the defaults.
/// </summary>
internal sealed record AssociateRequest(
    ushort ProtocolVersion,
    string CalledAe,
    string CallingAe,
    byte[] CalledAeField,
    byte[] CallingAeField,
    string? ApplicationContext,
    IReadOnlyList<ProposedContext> Contexts,
    uint MaxPduLength,
    string? ImplementationClassUid,
    string? ImplementationVersionName)
{
    public const int AeFieldLength = 16;
    private const int FixedLength = 68;

    /// <exception cref="DicomNetworkException">A length that overruns its item, a duplicate or even context ID, or an unknown item.</exception>
    public static AssociateRequest Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length < FixedLength) throw new DicomNetworkException($"A-ASSOCIATE-RQ of {body.Length} bytes is shorter than its fixed fields ({FixedLength})");
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(body);
        byte[] calledField = body.Slice(4, AeFieldLength).ToArray();
        byte[] callingField = body.Slice(20, AeFieldLength).ToArray();
        string? applicationContext = null;
        var contexts = new List<ProposedContext>();
        uint maxPduLength = 0;
        string? implementationUid = null, implementationVersion = null;

        var items = new ItemCursor(body[FixedLength..], FixedLength);
        while (items.Next(out byte type, out var value, out long offset))
        {
            switch (type)
            {
                case 0x10:
                    if (applicationContext is not null) throw Error("a second application context item", offset);
                    applicationContext = Text(value);
                    break;
                case 0x20:
                    var context = ParseContext(value, offset);
                    if (contexts.Any(c => c.Id == context.Id)) throw Error($"presentation context ID {context.Id} proposed twice", offset);
                    contexts.Add(context);
                    break;
                case 0x50:
                    (maxPduLength, implementationUid, implementationVersion) = ParseUserInformation(value, offset + 4);
                    break;
                default:
                    throw new DicomNetworkException($"unrecognised item type 0x{type:X2} in A-ASSOCIATE-RQ at offset {offset}", AbortReason.UnrecognizedPduParameter);
            }
        }

        return new AssociateRequest(
            version, AeTitle(calledField), AeTitle(callingField), calledField, callingField, applicationContext, contexts,
            maxPduLength, implementationUid, implementationVersion);
    }

    private static ProposedContext ParseContext(ReadOnlySpan<byte> value, long offset)
    {
        if (value.Length < 4) throw Error("presentation context item shorter than 4 bytes", offset);
        byte id = value[0];
        if (id % 2 == 0) throw Error($"presentation context ID {id} is even", offset);
        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        var subItems = new ItemCursor(value[4..], offset + 8);
        while (subItems.Next(out byte type, out var subValue, out long subOffset))
        {
            switch (type)
            {
                case 0x30 when abstractSyntax is null:
                    abstractSyntax = Text(subValue);
                    break;
                case 0x40:
                    transferSyntaxes.Add(Text(subValue));
                    break;
                default:
                    throw new DicomNetworkException($"unexpected sub-item type 0x{type:X2} in presentation context {id} at offset {subOffset}", AbortReason.UnexpectedPduParameter);
            }
        }

        if (abstractSyntax is null || transferSyntaxes.Count == 0) throw Error($"presentation context {id} lacks an abstract syntax or a transfer syntax", offset);
        return new ProposedContext(id, abstractSyntax, transferSyntaxes);
    }

    private static (uint MaxLength, string? ImplementationUid, string? VersionName) ParseUserInformation(ReadOnlySpan<byte> value, long offset)
    {
        uint maxLength = 0;
        string? implementationUid = null, versionName = null;
        var subItems = new ItemCursor(value, offset);
        while (subItems.Next(out byte type, out var subValue, out long subOffset))
        {
            switch (type)
            {
                case 0x51:
                    if (subValue.Length != 4) throw Error("maximum length sub-item is not 4 bytes", subOffset);
                    maxLength = BinaryPrimitives.ReadUInt32BigEndian(subValue);
                    break;
                case 0x52:
                    implementationUid = Text(subValue);
                    break;
                case 0x55:
                    versionName = Text(subValue);
                    break;
                // 0x53 asynchronous operations, 0x54 role selection, 0x56/0x57 extended negotiation, 0x58 user identity
                // and anything newer: left out of the answer, which grants the defaults (one operation, SCU/SCP as usual).
            }
        }

        return (maxLength, implementationUid, versionName);
    }

    /// <summary>AE titles are 16 bytes, leading and trailing spaces insignificant (PS3.5 AE).</summary>
    private static string AeTitle(byte[] field) => Encoding.ASCII.GetString(field).Trim(' ', '\0');

    /// <summary>A UID or name: ASCII, trailing NUL or space padding dropped.</summary>
    private static string Text(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    private static DicomNetworkException Error(string what, long offset) => new($"{what} (A-ASSOCIATE-RQ offset {offset})");

    /// <summary>Walks items of the form type (1), reserved (1), length (2, big endian), value.</summary>
    private ref struct ItemCursor(ReadOnlySpan<byte> items, long baseOffset)
    {
        private ReadOnlySpan<byte> _rest = items;
        private long _offset = baseOffset;

        public bool Next(out byte type, out ReadOnlySpan<byte> value, out long offset)
        {
            offset = _offset;
            value = default;
            type = 0;
            if (_rest.IsEmpty) return false;
            if (_rest.Length < 4) throw Error($"{_rest.Length} stray bytes where an item header belongs", offset);
            type = _rest[0];
            int length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
            if (length > _rest.Length - 4) throw Error($"item type 0x{type:X2} declares {length} bytes, {_rest.Length - 4} remain", offset);
            value = _rest.Slice(4, length);
            _rest = _rest[(4 + length)..];
            _offset += 4 + length;
            return true;
        }
    }
}
