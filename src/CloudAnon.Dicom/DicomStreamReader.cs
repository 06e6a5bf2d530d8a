using System.Buffers;

namespace CloudAnon.Dicom;

/// <summary>
/// Drives a <see cref="DicomReader"/> over a <see cref="Stream"/> (seekable or not): owns one pooled buffer, refills
/// it, and rebuilds the reader from its state, in the manner of Npgsql's read buffer. Sync and async share one body.
/// Long values arrive as ValueChunk tokens, or are skipped (seeking when the stream can) or copied without buffering.
/// </summary>
public sealed class DicomStreamReader : IDisposable
{
    // Reads start small and double: a header of a few KiB then costs one short read instead of a full buffer that runs
    // into the pixel data, which is skipped here and read again when it is copied out.
    private const int FirstReadSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _endOfStream;
    private DicomReaderState _state;
    private int _readSize = FirstReadSize;

    public DicomStreamReader(Stream stream, DicomReaderState state, bool leaveOpen = true)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _state = state;
        // Room for the longest value handed over whole plus its header, so a token never outgrows the buffer.
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(state.Options.BulkDataThreshold + 64, 128 * 1024));
    }

    public DicomTokenType TokenType { get; private set; }
    public DicomTag Tag { get; private set; }
    public DicomVR VR { get; private set; }
    public uint ValueLength { get; private set; }
    public bool HasValueChunks { get; private set; }
    public long TokenOffset { get; private set; }
    public bool IsImplicitLittleEndianContext { get; private set; }
    public bool IsEndOfFileMetaGroup { get; private set; }

    /// <summary>The current token's value bytes (or chunk); valid until the next call on this reader.</summary>
    public ReadOnlyMemory<byte> Value { get; private set; }

    public DicomReaderState State => _state;

    public bool Read() => ReadCore(async: false, default).GetAwaiter().GetResult();

    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default) => ReadCore(async: true, cancellationToken);

    /// <summary>Continues with another encoding from the current position (after the File Meta Information).</summary>
    public void Restart(DicomReaderState state) => _state = state;

    /// <summary>Up to <paramref name="count"/> bytes ahead, without consuming them (fewer at the end of the stream).</summary>
    public async ValueTask<ReadOnlyMemory<byte>> PeekAsync(int count, CancellationToken cancellationToken = default)
    {
        while (_end - _start < count && !_endOfStream) await FillAsync(true, cancellationToken).ConfigureAwait(false);
        return _buffer.AsMemory(_start, Math.Min(count, _end - _start));
    }

    /// <summary>Consumes bytes obtained by <see cref="PeekAsync"/>.</summary>
    public void Consume(int count)
    {
        if (count > _end - _start) throw new ArgumentOutOfRangeException(nameof(count));
        _start += count;
        _state.Position += count;
    }

    /// <summary>Skips the rest of the current long value: seeks when the stream can, otherwise reads and discards.</summary>
    public ValueTask SkipValueAsync(CancellationToken cancellationToken = default) => ConsumeValue(null, async: true, cancellationToken);

    /// <summary>Copies the rest of the current long value to <paramref name="destination"/> in chunks.</summary>
    public ValueTask CopyValueToAsync(Stream destination, CancellationToken cancellationToken = default) => ConsumeValue(destination, async: true, cancellationToken);

    /// <summary>The unread bytes (buffered, then the rest of the stream), for a data set that continues deflated.</summary>
    public Stream DetachRemainder()
    {
        var remainder = new PrefixedStream(_buffer.AsMemory(_start, _end - _start).ToArray(), _stream);
        _start = _end;
        return remainder;
    }

    private async ValueTask<bool> ReadCore(bool async, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryReadToken()) return true;
            if (IsEndOfFileMetaGroup || _endOfStream) return false;
            await FillAsync(async, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryReadToken()
    {
        var reader = new DicomReader(_buffer.AsSpan(_start, _end - _start), _endOfStream, _state);
        bool read = reader.Read();
        _state = reader.CurrentState;
        IsEndOfFileMetaGroup = reader.IsEndOfFileMetaGroup;
        if (!read) return false;

        int consumed = reader.BytesConsumed;
        TokenType = reader.TokenType;
        if (TokenType != DicomTokenType.ValueChunk)
        {
            Tag = reader.Tag;
            VR = reader.VR;
            ValueLength = reader.ValueLength;
            HasValueChunks = reader.HasValueChunks;
            IsImplicitLittleEndianContext = reader.IsImplicitLittleEndianContext;
        }
        TokenOffset = reader.TokenOffset;
        int valueLength = reader.ValueSpan.Length;
        Value = _buffer.AsMemory(_start + consumed - valueLength, valueLength);
        _start += consumed;
        return true;
    }

    private async ValueTask ConsumeValue(Stream? destination, bool async, CancellationToken cancellationToken)
    {
        while (_state.PendingValueBytes > 0)
        {
            int buffered = (int)Math.Min(_end - _start, _state.PendingValueBytes);
            if (buffered > 0)
            {
                if (destination is not null) await destination.WriteAsync(_buffer.AsMemory(_start, buffered), cancellationToken).ConfigureAwait(false);
                _start += buffered;
                _state.SkipValueBytes(buffered);
                continue;
            }
            if (destination is null && _stream.CanSeek)
            {
                long skip = _state.PendingValueBytes;
                if (_stream.Position + skip > _stream.Length) throw new DicomFormatException(DicomFormatErrorKind.LengthBeyondData, "value length exceeds the data that remains", _state.Position, Tag);
                _stream.Seek(skip, SeekOrigin.Current);
                _state.SkipValueBytes(skip);
                return;
            }
            if (_endOfStream) throw new DicomFormatException(DicomFormatErrorKind.Truncated, "data set is truncated inside a value", _state.Position, Tag);
            await FillAsync(async, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync(bool async, CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new InvalidOperationException("A token outgrew the read buffer.");
        var free = _buffer.AsMemory(_end, Math.Min(_buffer.Length - _end, _readSize));
        _readSize = Math.Min(_readSize * 2, _buffer.Length);
        int read = async
            ? await _stream.ReadAsync(free, cancellationToken).ConfigureAwait(false)
            : _stream.Read(free.Span);
        if (read == 0) _endOfStream = true;
        _end += read;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer, clearArray: true);
        _buffer = [];
        if (!_leaveOpen) _stream.Dispose();
    }

    /// <summary>Bytes already read ahead, followed by the rest of a stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _prefixPosition;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPosition < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
                prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }
            return rest.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _prefixPosition < prefix.Length ? Read(buffer.Span) : await rest.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
