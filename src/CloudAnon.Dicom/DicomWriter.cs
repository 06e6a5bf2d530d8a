using System.Buffers;
using System.Buffers.Binary;

namespace CloudAnon.Dicom;

/// <summary>
/// A forward-only writer of DICOM data set encoding to a Stream (which need not seek: a block-blob upload stream will
/// do), in the manner of Utf8JsonWriter: writes gather in a pooled buffer (<see cref="BytesPending"/>) until
/// <see cref="Flush"/> or <see cref="FlushAsync"/>; sequences, items and fragments must balance. Values are given in
/// little-endian byte order and swapped for a big-endian syntax. Defined lengths are the caller's to compute.
/// </summary>
public sealed class DicomWriter : IDisposable, IAsyncDisposable
{
    public const uint UndefinedLength = 0xFFFF_FFFF;

    private readonly Stream _output;
    private readonly bool _explicitVR;
    private readonly bool _bigEndian;
    private readonly Stack<(ContainerKind Kind, bool UndefinedLength, bool ImplicitLittleEndian)> _open = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _pending;

    public DicomWriter(Stream output, bool explicitVR, bool bigEndian)
    {
        _output = output;
        _explicitVR = explicitVR;
        _bigEndian = bigEndian;
    }

    public DicomWriter(Stream output, TransferSyntax syntax) : this(output, syntax.IsExplicitVR, syntax.IsBigEndian) { }

    public int BytesPending => _pending;
    public long BytesCommitted { get; private set; }
    public int Depth => _open.Count;

    private bool ImplicitLittleEndianContext => _open.Count > 0 && _open.Peek().ImplicitLittleEndian;
    private bool ExplicitVR => _explicitVR && !ImplicitLittleEndianContext;
    private bool BigEndian => _bigEndian && !ImplicitLittleEndianContext;

    /// <summary>Writes a whole element; <paramref name="value"/> is in little-endian order.</summary>
    public void WriteElement(DicomTag tag, DicomVR vr, ReadOnlySpan<byte> value)
    {
        WriteElementHeader(tag, vr, (uint)value.Length);
        WriteValueBytes(value, vr.UnitSize);
    }

    /// <summary>Writes an element header only; the caller then writes exactly <paramref name="length"/> value bytes.</summary>
    public void WriteElementHeader(DicomTag tag, DicomVR vr, uint length)
    {
        EnsureInItemOrTopLevel();
        WriteHeader(tag, EncodableVR(vr, length), length);
    }

    /// <summary>Value bytes in little-endian order, swapped in units of <paramref name="swapUnit"/> bytes for a big-endian syntax.</summary>
    public void WriteValueBytes(ReadOnlySpan<byte> value, int swapUnit)
    {
        var target = Reserve(value.Length);
        value.CopyTo(target);
        if (BigEndian && swapUnit > 1) ByteSwap.InPlace(target, swapUnit);
        _pending += value.Length;
    }

    public void WriteStartSequence(DicomTag tag, DicomVR vr, uint length, bool implicitLittleEndianContent = false)
    {
        EnsureInItemOrTopLevel();
        WriteHeader(tag, vr, length);
        _open.Push((ContainerKind.Sequence, length == UndefinedLength, implicitLittleEndianContent || ImplicitLittleEndianContext));
    }

    public void WriteEndSequence() => Close(ContainerKind.Sequence, DicomTag.SequenceDelimitationItem);

    public void WriteStartItem(uint length)
    {
        if (_open.Count == 0 || _open.Peek().Kind != ContainerKind.Sequence) throw new InvalidOperationException("An item must be written inside a sequence.");
        WriteTagAndLength(DicomTag.Item, length);
        _open.Push((ContainerKind.Item, length == UndefinedLength, ImplicitLittleEndianContext));
    }

    public void WriteEndItem() => Close(ContainerKind.Item, DicomTag.ItemDelimitationItem);

    public void WriteStartFragments(DicomTag tag, DicomVR vr)
    {
        EnsureInItemOrTopLevel();
        WriteHeader(tag, vr, UndefinedLength);
        _open.Push((ContainerKind.Fragments, true, false));
    }

    /// <summary>Writes a fragment's item header; the caller then writes exactly <paramref name="length"/> bytes with <see cref="WriteValueBytes"/> or to the stream after a flush.</summary>
    public void WriteFragmentHeader(uint length)
    {
        if (_open.Count == 0 || _open.Peek().Kind != ContainerKind.Fragments) throw new InvalidOperationException("A fragment must be written inside encapsulated pixel data.");
        WriteTagAndLength(DicomTag.Item, length);
    }

    public void WriteEndFragments() => Close(ContainerKind.Fragments, DicomTag.SequenceDelimitationItem);

    /// <summary>Raw bytes in output order (preamble, prefix).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _pending += bytes.Length;
    }

    public void Flush()
    {
        _output.Write(_buffer, 0, _pending);
        BytesCommitted += _pending;
        _pending = 0;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await _output.WriteAsync(_buffer.AsMemory(0, _pending), cancellationToken).ConfigureAwait(false);
        BytesCommitted += _pending;
        _pending = 0;
    }

    /// <summary>Records bytes the caller wrote straight to the stream after a flush (bulk data).</summary>
    public void AdvanceCommitted(long count) => BytesCommitted += count;

    /// <summary>Whether the current context writes explicit VRs (false inside a UN sequence of undefined length).</summary>
    public bool IsExplicitVRContext => ExplicitVR;

    /// <summary>Whether the current context writes big-endian numbers (bulk data copied by the caller must be swapped).</summary>
    public bool IsBigEndianContext => BigEndian;

    /// <summary>Whether a VR and length can be written as they are: short-length VRs hold at most 65,535 bytes in explicit VR, longer values go as UN.</summary>
    public DicomVR EncodableVR(DicomVR vr, uint length) => ExplicitVR && !vr.HasLongExplicitLength && length > ushort.MaxValue ? DicomVR.UN : vr;

    private void WriteHeader(DicomTag tag, DicomVR vr, uint length)
    {
        if (!ExplicitVR)
        {
            WriteTagAndLength(tag, length);
            return;
        }
        bool longLength = vr.HasLongExplicitLength;
        var target = Reserve(12);
        WriteUInt16(target, tag.Group);
        WriteUInt16(target[2..], tag.Element);
        target[4] = vr.FirstByte;
        target[5] = vr.SecondByte;
        if (longLength)
        {
            target[6] = 0;
            target[7] = 0;
            WriteUInt32(target[8..], length);
            _pending += 12;
        }
        else
        {
            WriteUInt16(target[6..], (ushort)length);
            _pending += 8;
        }
    }

    private void WriteTagAndLength(DicomTag tag, uint length)
    {
        var target = Reserve(8);
        WriteUInt16(target, tag.Group);
        WriteUInt16(target[2..], tag.Element);
        WriteUInt32(target[4..], length);
        _pending += 8;
    }

    private void Close(ContainerKind kind, DicomTag delimiter)
    {
        if (_open.Count == 0 || _open.Peek().Kind != kind) throw new InvalidOperationException($"No open {kind.ToString().ToLowerInvariant()} to end.");
        var (_, undefinedLength, _) = _open.Peek();
        if (undefinedLength) WriteTagAndLength(delimiter, 0);
        _open.Pop();
    }

    private void EnsureInItemOrTopLevel()
    {
        if (_open.Count > 0 && _open.Peek().Kind != ContainerKind.Item) throw new InvalidOperationException("A data element must be written at top level or inside an item.");
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _pending < count)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _pending + count));
            _buffer.AsSpan(0, _pending).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
            _buffer = larger;
        }
        return _buffer.AsSpan(_pending, count);
    }

    private void WriteUInt16(Span<byte> target, ushort value)
    {
        if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(target, value);
        else BinaryPrimitives.WriteUInt16LittleEndian(target, value);
    }

    private void WriteUInt32(Span<byte> target, uint value)
    {
        if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(target, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(target, value);
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        if (_pending > 0) Flush();
        ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        _buffer = [];
    }

    public async ValueTask DisposeAsync()
    {
        if (_buffer.Length == 0) return;
        if (_pending > 0) await FlushAsync().ConfigureAwait(false);
        ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        _buffer = [];
    }
}
