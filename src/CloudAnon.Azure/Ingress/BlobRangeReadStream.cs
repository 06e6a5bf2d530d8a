using System.Buffers;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// A seekable read-only view of one <see cref="IngressSnapshot"/>: reads inside the head come from memory; others fill a
/// pooled window of <see cref="IngressSnapshot.HeadBytes"/> with one conditional ranged GET, so a sequential pass over a
/// large file costs one request per 4 MiB and the codec may seek back over pixel data it skipped.
/// </summary>
internal sealed class BlobRangeReadStream(IngressSnapshot snapshot) : Stream
{
    private byte[]? _window;
    private long _windowStart = -1;
    private int _windowLength;
    private long _position;
    private bool _disposed;

    public override bool CanRead => !_disposed;
    public override bool CanSeek => !_disposed;
    public override bool CanWrite => false;
    public override long Length => snapshot.Bytes;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_position >= snapshot.Bytes || buffer.IsEmpty) return 0;
        int count = (int)Math.Min(buffer.Length, snapshot.Bytes - _position);
        if (_position < snapshot.HeadLength)
        {
            count = Math.Min(count, snapshot.HeadLength - (int)_position);
            snapshot.Head.Slice((int)_position, count).CopyTo(buffer.Span);
        }
        else
        {
            if (_position < _windowStart || _position >= _windowStart + _windowLength)
            {
                await FillWindowAsync(cancellationToken).ConfigureAwait(false);
            }

            count = Math.Min(count, (int)(_windowStart + _windowLength - _position));
            _window.AsSpan((int)(_position - _windowStart), count).CopyTo(buffer.Span);
        }

        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => snapshot.Bytes + offset,
    };

    private async Task FillWindowAsync(CancellationToken cancellationToken)
    {
        _window ??= ArrayPool<byte>.Shared.Rent(IngressSnapshot.HeadBytes);
        int length = (int)Math.Min(IngressSnapshot.HeadBytes, snapshot.Bytes - _position);
        _windowLength = await snapshot.ReadRangeAsync(_position, _window.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        _windowStart = _position;
        if (_windowLength == 0) throw new EndOfStreamException("The ingress blob ended before its stated length.");
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        if (Interlocked.Exchange(ref _window, null) is { } window)
        {
            ArrayPool<byte>.Shared.Return(window, clearArray: true);
        }

        base.Dispose(disposing);
    }
}
