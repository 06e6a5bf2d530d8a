using System.Buffers;
using System.Buffers.Binary;

namespace CloudAnon.Network.Pdu;

/// <summary>
/// Reads whole PDUs from the association's stream into one pooled buffer of <see cref="MaxLength"/> bytes: the header's
/// type and length are checked before a byte of the body is read, so a peer can never make the gateway allocate more.
/// A PDU is valid until the next read.
/// </summary>
internal sealed class PduReader : IDisposable
{
    public const int HeaderLength = 6;

    private readonly Stream _stream;
    private byte[] _buffer;

    /// <param name="maxLength">The largest PDU body (the PDU-length field) accepted.</param>
    public PduReader(Stream stream, int maxLength)
    {
        _stream = stream;
        MaxLength = maxLength;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(maxLength, HeaderLength));
    }

    public int MaxLength { get; }

    /// <summary>The next PDU, or null when the peer closed the connection cleanly between PDUs.</summary>
    /// <exception cref="DicomNetworkException">An unknown PDU type, a length over the limit, or a PDU cut off by the peer.</exception>
    public async ValueTask<(PduType Type, ReadOnlyMemory<byte> Body)?> ReadAsync(CancellationToken cancellationToken)
    {
        var header = _buffer.AsMemory(0, HeaderLength);
        int read = await ReadAtLeastAsync(header, cancellationToken).ConfigureAwait(false);
        if (read == 0) return null;
        if (read < HeaderLength) throw new DicomNetworkException("the connection closed inside a PDU header", AbortReason.NotSpecified);

        byte type = _buffer[0];
        uint length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(2));
        if (type is < (byte)PduType.AssociateRequest or > (byte)PduType.Abort)
        {
            throw new DicomNetworkException($"unrecognised PDU type 0x{type:X2}", AbortReason.UnrecognizedPdu);
        }

        if (length > (uint)MaxLength)
        {
            throw new DicomNetworkException($"PDU type 0x{type:X2} declares {length} bytes, over the limit of {MaxLength}");
        }

        var body = _buffer.AsMemory(0, (int)length);
        if (await ReadAtLeastAsync(body, cancellationToken).ConfigureAwait(false) < body.Length)
        {
            throw new DicomNetworkException($"the connection closed inside a PDU of type 0x{type:X2}", AbortReason.NotSpecified);
        }

        return ((PduType)type, body);
    }

    private async ValueTask<int> ReadAtLeastAsync(Memory<byte> target, CancellationToken cancellationToken) =>
        target.IsEmpty ? 0 : await _stream.ReadAtLeastAsync(target, target.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        // P-DATA bodies held data set bytes (PHI): clear them before the buffer goes back to the pool.
        ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        _buffer = [];
    }
}
