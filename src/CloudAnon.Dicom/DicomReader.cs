using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace CloudAnon.Dicom;

/// <summary>
/// A forward-only reader of a DICOM data set over a block of bytes, in the manner of Utf8JsonReader: construct it on
/// the bytes at hand with the state the previous reader left; <see cref="Read"/> returns false when the next token is
/// cut off (keep the bytes past <see cref="BytesConsumed"/>, and construct a new reader with <see cref="CurrentState"/>
/// when more arrive) or when the data set ends. Values longer than the bulk threshold are handed out as chunks,
/// never gathered whole. Malformed input throws <see cref="DicomFormatException"/> before anything is sliced.
/// </summary>
public ref struct DicomReader
{
    private const uint UndefinedLength = 0xFFFF_FFFF;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly bool _isFinalBlock;
    private DicomReaderState _state;
    private int _consumed;

    public DicomReader(ReadOnlySpan<byte> data, bool isFinalBlock, DicomReaderState state)
    {
        _buffer = data;
        _isFinalBlock = isFinalBlock;
        _state = state;
    }

    public DicomTokenType TokenType { get; private set; }
    public DicomTag Tag { get; private set; }

    /// <summary>The VR as encoded (explicit) or from the dictionary (implicit).</summary>
    public DicomVR VR { get; private set; }

    /// <summary>The value length field; 0xFFFFFFFF for undefined length.</summary>
    public uint ValueLength { get; private set; }

    /// <summary>The value bytes of an Element or Fragment (unless HasValueChunks), or of a ValueChunk, in the data set's byte order.</summary>
    public ReadOnlySpan<byte> ValueSpan { get; private set; }

    /// <summary>The value is longer than the bulk threshold and follows as ValueChunk tokens.</summary>
    public bool HasValueChunks { get; private set; }

    /// <summary>Absolute offset where the current token's encoding starts.</summary>
    public long TokenOffset { get; private set; }

    /// <summary>The current element was encoded Implicit VR Little Endian (inside a UN sequence of undefined length).</summary>
    public bool IsImplicitLittleEndianContext { get; private set; }

    /// <summary>The reader stopped before the first element outside group 0002 (File Meta Information mode).</summary>
    public bool IsEndOfFileMetaGroup { get; private set; }

    public readonly int BytesConsumed => _consumed;
    public readonly DicomReaderState CurrentState => _state;
    public readonly int Depth => _state.Containers.Count;

    public bool Read()
    {
        TokenType = DicomTokenType.None;
        ValueSpan = default;
        HasValueChunks = false;
        return ReadNext();
    }

    private bool ReadNext()
    {
        var containers = _state.Containers;
        if (_state.PendingValueBytes > 0) return ReadValueChunk();

        long position = _state.Position;
        if (containers.Count > 0 && containers.Top.End >= 0)
        {
            long end = containers.Top.End;
            if (position == end) return CloseDefinedLengthContainer();
            if (position > end) ThrowMalformed("element extends past the end of its sequence or item", TokenOffset);
        }

        var remaining = _buffer[_consumed..];
        if (remaining.IsEmpty && _isFinalBlock && containers.Count == 0) return false;

        if (remaining.Length < 8) return NeedMoreData(remaining.Length);

        bool bigEndian = _state.BigEndian && !containers.InImplicitLittleEndian;
        bool explicitVR = _state.ExplicitVR && !containers.InImplicitLittleEndian;
        ushort group = ReadUInt16(remaining, bigEndian);
        ushort element = ReadUInt16(remaining[2..], bigEndian);
        var tag = new DicomTag(group, element);
        TokenOffset = position;
        IsImplicitLittleEndianContext = containers.InImplicitLittleEndian;

        if (group == 0xFFFE) return ReadDelimiter(tag, ReadUInt32(remaining[4..], bigEndian));

        if (containers.Count > 0 && containers.Top.Kind != ContainerKind.Item)
        {
            ThrowMalformed("a sequence holds a data element where an item was expected", position, tag);
        }
        if (_state.StopAfterFileMetaGroup && containers.Count == 0 && group != 0x0002)
        {
            IsEndOfFileMetaGroup = true;
            return false;
        }

        DicomVR vr;
        uint length;
        int headerLength;
        if (explicitVR)
        {
            if (!DicomVR.TryParse(remaining[4], remaining[5], out vr)) ThrowMalformed("invalid VR in an explicit VR data set", position, tag);
            if (vr.HasLongExplicitLength)
            {
                if (remaining.Length < 12) return NeedMoreData(remaining.Length);
                length = ReadUInt32(remaining[8..], bigEndian);
                headerLength = 12;
            }
            else
            {
                length = ReadUInt16(remaining[6..], bigEndian);
                headerLength = 8;
            }
        }
        else
        {
            vr = DicomDictionary.GetVR(tag);
            length = ReadUInt32(remaining[4..], bigEndian);
            headerLength = 8;
        }

        Tag = tag;
        VR = vr;
        ValueLength = length;

        if (length == UndefinedLength)
        {
            if (tag == DicomTag.PixelData) return OpenContainer(headerLength, ContainerKind.Fragments, -1, DicomTokenType.FragmentsStart, false);
            if (vr == DicomVR.SQ || !explicitVR) return OpenContainer(headerLength, ContainerKind.Sequence, -1, DicomTokenType.SequenceStart, false);
            if (vr == DicomVR.UN) return OpenContainer(headerLength, ContainerKind.Sequence, -1, DicomTokenType.SequenceStart, true);
            ThrowMalformed("undefined length on a VR that cannot have one", position, tag);
        }

        long valueEnd = position + headerLength + length;
        if (valueEnd > containers.InnermostDefinedEnd()) ThrowMalformed("value length exceeds its enclosing sequence or item", position, tag);
        if (vr == DicomVR.SQ)
        {
            return OpenContainer(headerLength, ContainerKind.Sequence, valueEnd, DicomTokenType.SequenceStart, false);
        }
        return ReadValue(headerLength, length, DicomTokenType.Element);
    }

    private bool ReadDelimiter(DicomTag tag, uint length)
    {
        var containers = _state.Containers;
        long position = _state.Position;
        Tag = tag;
        VR = default;
        ValueLength = length;
        if (tag == DicomTag.Item)
        {
            if (containers.Count == 0) ThrowMalformed("item outside a sequence", position, tag);
            if (containers.Top.Kind == ContainerKind.Fragments)
            {
                if (length == UndefinedLength) ThrowMalformed("fragment with undefined length", position, tag);
                if (position + 8 + length > containers.InnermostDefinedEnd()) ThrowMalformed("fragment length exceeds its enclosing item", position, tag);
                return ReadValue(8, length, DicomTokenType.Fragment);
            }
            if (containers.Top.Kind != ContainerKind.Sequence) ThrowMalformed("item directly inside an item", position, tag);
            long end = length == UndefinedLength ? -1 : position + 8 + length;
            // An item that claims to run past its sequence ends with the sequence, as dcmtk reads it (seen in DICOMDIRs).
            end = Math.Min(end, containers.InnermostDefinedEnd());
            return OpenContainer(8, ContainerKind.Item, end, DicomTokenType.ItemStart, false);
        }
        if (tag == DicomTag.ItemDelimitationItem)
        {
            if (containers.Count == 0 || containers.Top.Kind != ContainerKind.Item || containers.Top.End >= 0)
            {
                ThrowMalformed("item delimiter without an item of undefined length", position, tag);
            }
            return CloseUndefinedLengthContainer(DicomTokenType.ItemEnd);
        }
        if (tag == DicomTag.SequenceDelimitationItem)
        {
            if (containers.Count == 0 || containers.Top.Kind == ContainerKind.Item || containers.Top.End >= 0)
            {
                ThrowMalformed("sequence delimiter without a sequence of undefined length", position, tag);
            }
            return CloseUndefinedLengthContainer(containers.Top.Kind == ContainerKind.Fragments ? DicomTokenType.FragmentsEnd : DicomTokenType.SequenceEnd);
        }
        ThrowMalformed("unknown delimiter tag in group FFFE", position, tag);
        return false;
    }

    private bool OpenContainer(int headerLength, ContainerKind kind, long end, DicomTokenType token, bool implicitLittleEndian)
    {
        var containers = _state.Containers;
        if (containers.Count >= containers.MaxDepth) ThrowFormat(DicomFormatErrorKind.LimitExceeded, "sequences nested deeper than the limit", _state.Position, Tag);
        // Everything inside a UN sequence of undefined length stays Implicit VR Little Endian.
        containers.Push(kind, end, implicitLittleEndian || containers.InImplicitLittleEndian);
        Advance(headerLength);
        TokenType = token;
        return true;
    }

    private bool CloseUndefinedLengthContainer(DicomTokenType token)
    {
        _state.Containers.Pop();
        Advance(8);
        TokenType = token;
        return true;
    }

    private bool CloseDefinedLengthContainer()
    {
        var kind = _state.Containers.Top.Kind;
        _state.Containers.Pop();
        TokenOffset = _state.Position;
        TokenType = kind == ContainerKind.Item ? DicomTokenType.ItemEnd : DicomTokenType.SequenceEnd;
        return true;
    }

    private bool ReadValue(int headerLength, uint length, DicomTokenType token)
    {
        var remaining = _buffer[_consumed..];
        if (length > (uint)_state.Options.BulkDataThreshold)
        {
            Advance(headerLength);
            _state.PendingValueBytes = length;
            HasValueChunks = true;
            TokenType = token;
            return true;
        }
        if (remaining.Length - headerLength < length) return NeedMoreData(remaining.Length);
        ValueSpan = remaining.Slice(headerLength, (int)length);
        Advance(headerLength + (int)length);
        TokenType = token;
        return true;
    }

    private bool ReadValueChunk()
    {
        var remaining = _buffer[_consumed..];
        if (remaining.IsEmpty) return NeedMoreData(0);
        int take = (int)Math.Min(remaining.Length, _state.PendingValueBytes);
        ValueSpan = remaining[..take];
        TokenOffset = _state.Position;
        Advance(take);
        _state.PendingValueBytes -= take;
        TokenType = DicomTokenType.ValueChunk;
        return true;
    }

    private bool NeedMoreData(int available)
    {
        if (_isFinalBlock)
        {
            ThrowFormat(DicomFormatErrorKind.Truncated, available == 0 && _state.PendingValueBytes == 0 ? "data set ends inside an open sequence or item" : "data set is truncated", _state.Position);
        }
        return false;
    }

    private void Advance(int count)
    {
        _consumed += count;
        _state.Position += count;
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private static uint ReadUInt32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private static void ThrowMalformed(string reason, long offset, DicomTag? tag = null) => ThrowFormat(DicomFormatErrorKind.Malformed, reason, offset, tag);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFormat(DicomFormatErrorKind kind, string reason, long offset, DicomTag? tag = null) => throw new DicomFormatException(kind, reason, offset, tag);
}
