using System.Buffers;
using System.Buffers.Binary;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// A write-only stream that uploads to a block blob as staged blocks of <see cref="BlockSize"/> bytes and makes the blob
/// visible only in <see cref="CommitAsync"/> (a blob of one block in a single Put Blob): an abandoned stream leaves nothing readable (the service discards uncommitted
/// blocks after a week). Up to <c>maxBlocksInFlight</c> blocks are staged at once while the next one fills, so memory is
/// that many pooled block buffers plus one, whatever the blob size (one block at a time by default). Block ids start with a random
/// per-stream prefix, so two writers racing to the same name never commit each other's blocks.
/// </summary>
internal sealed class StagedBlockWriteStream : Stream
{
    public const int BlockSize = 4 * 1024 * 1024;

    private readonly BlockBlobClient _blob;
    private readonly byte[] _idPrefix = Guid.NewGuid().ToByteArray();
    private readonly List<string> _blockIds = [];
    private readonly Queue<(Task Staging, byte[] Buffer)> _inFlight = new();
    private readonly int _maxBlocksInFlight;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int _buffered;
    private long _length;

    public StagedBlockWriteStream(BlockBlobClient blob, int maxBlocksInFlight = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocksInFlight, 1);
        _blob = blob;
        _maxBlocksInFlight = maxBlocksInFlight;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => _buffer is not null;
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        while (!source.IsEmpty)
        {
            int take = Math.Min(source.Length, BlockSize - _buffered);
            source[..take].CopyTo(_buffer.AsMemory(_buffered));
            _buffered += take;
            _length += take;
            source = source[take..];
            if (_buffered == BlockSize)
            {
                await StageBufferAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <summary>Nothing to flush: bytes stay buffered until a block is full or the blob is committed.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    /// <summary>
    /// Makes the blob visible — the one moment it is: a blob that fit in one block goes up in a single Put Blob, a larger one
    /// stages its last block and commits the block list. Both honour <paramref name="conditions"/> (If-None-Match: * for
    /// write-once outputs).
    /// </summary>
    public async Task CommitAsync(
        BlobHttpHeaders headers, IDictionary<string, string>? metadata, BlobRequestConditions conditions, CancellationToken cancellationToken = default)
    {
        if (_blockIds.Count == 0)
        {
            using var content = new MemoryStream(_buffer!, 0, _buffered, writable: false);
            await _blob.UploadAsync(content, new BlobUploadOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions }, cancellationToken)
                .ConfigureAwait(false);
            return;
        }

        if (_buffered > 0)
        {
            await StageBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        while (_inFlight.Count > 0)
        {
            await CompleteOldestStagingAsync().ConfigureAwait(false);
        }

        await _blob.CommitBlockListAsync(
            _blockIds, new CommitBlockListOptions { HttpHeaders = headers, Metadata = metadata, Conditions = conditions }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Commits only if no blob of that name exists yet (If-None-Match: *). Returns false when another writer of the same
    /// name committed first; there is no existence check beforehand: the condition is the check.
    /// </summary>
    public async Task<bool> CommitIfAbsentAsync(BlobHttpHeaders headers, CancellationToken cancellationToken = default)
    {
        try
        {
            await CommitAsync(headers, metadata: null, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            return false;
        }
        catch (RequestFailedException exception) when (exception.Status == 400)
        {
            // 400 InvalidBlockList: a concurrent commit of the same name discarded our staged blocks.
            if (await _blob.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>
    /// Starts staging the filled buffer and carries on with a fresh one; waits only when the most blocks are in flight.
    /// A failed staging surfaces here, at a later write, or at the commit.
    /// </summary>
    private async Task StageBufferAsync(CancellationToken cancellationToken)
    {
        var blockId = NewBlockId(_blockIds.Count);
        var buffer = _buffer!;
        _blockIds.Add(blockId);
        _inFlight.Enqueue((StageAsync(blockId, buffer, _buffered, cancellationToken), buffer));
        _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        _buffered = 0;
        if (_inFlight.Count >= _maxBlocksInFlight)
        {
            await CompleteOldestStagingAsync().ConfigureAwait(false);
        }
    }

    private async Task StageAsync(string blockId, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var block = new MemoryStream(buffer, 0, length, writable: false);
        await _blob.StageBlockAsync(blockId, block, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task CompleteOldestStagingAsync()
    {
        var (staging, buffer) = _inFlight.Peek();
        await staging.ConfigureAwait(false);
        _inFlight.Dequeue();
        ReturnBuffer(buffer);
    }

    /// <summary>The buffer held file content (possibly PHI for quarantine copies): cleared before it goes back to the pool.</summary>
    private static void ReturnBuffer(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer, clearArray: true);

    /// <summary>Block ids of one blob must all have the same length: 16 random bytes and a 4-byte index, base64.</summary>
    private string NewBlockId(int index)
    {
        Span<byte> id = stackalloc byte[20];
        _idPrefix.CopyTo(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], index);
        return Convert.ToBase64String(id);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ReturnBuffer(buffer);
            // A block still being sent (the stream abandoned after a failure) keeps its buffer: the garbage collector takes it.
            foreach (var (staging, stagedBuffer) in _inFlight)
            {
                if (staging.IsCompleted) ReturnBuffer(stagedBuffer);
            }

            _inFlight.Clear();
        }

        base.Dispose(disposing);
    }
}
