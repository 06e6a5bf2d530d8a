using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.Network.Storage;

/// <summary>
/// Streams one instance's data set, as it arrives in P-DATA fragments, into an <see cref="IInstanceUpload"/> behind its
/// File Meta Information, while the codec's <see cref="DicomStreamReader"/> reads every token of it (inflating a deflated
/// data set first): only a data set that reads to its end, with the SOP Instance UID the command named, is committed.
/// Memory is the pipe's window and the reader's buffer, whatever the instance size; nothing touches local disk.
/// </summary>
internal sealed class InstanceReceiver : IAsyncDisposable
{
    private const int PipeWindow = 1024 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: PipeWindow, resumeWriterThreshold: PipeWindow / 2, useSynchronizationContext: false));
    private readonly IInstanceUpload _upload;
    private readonly Task<Exception?> _consumer;
    private bool _completed;

    private InstanceReceiver(IInstanceUpload upload, byte[] fileMeta, string sopInstanceUid, TransferSyntax syntax, string? requiredStudyUid, CancellationToken cancellationToken)
    {
        _upload = upload;
        _consumer = Task.Run(() => ConsumeAsync(fileMeta, sopInstanceUid, syntax, requiredStudyUid, cancellationToken), CancellationToken.None);
    }

    /// <summary>The hashed SOP Instance UID, for logs.</summary>
    public string Key => _upload.Key;

    /// <summary>Data set bytes received so far.</summary>
    public long Length { get; private set; }

    public static async Task<InstanceReceiver> StartAsync(
        IInstanceStore store, string sopClassUid, string sopInstanceUid, TransferSyntax syntax, CancellationToken cancellationToken)
    {
        var fileMeta = await FileMetaHeader.EncodeAsync(sopClassUid, sopInstanceUid, syntax, cancellationToken).ConfigureAwait(false);
        return new InstanceReceiver(store.Begin(sopInstanceUid), fileMeta, sopInstanceUid, syntax, requiredStudyUid: null, cancellationToken);
    }

    /// <summary>
    /// An instance that came with its own preamble, prefix and File Meta Information (a STOW-RS part), already checked;
    /// with <paramref name="requiredStudyUid"/>, a data set of another study ends as <see cref="StoreOutcome.StudyMismatch"/>.
    /// </summary>
    public static InstanceReceiver Start(
        IInstanceStore store, byte[] part10Header, string sopInstanceUid, TransferSyntax syntax, string? requiredStudyUid, CancellationToken cancellationToken) =>
        new(store.Begin(sopInstanceUid), part10Header, sopInstanceUid, syntax, requiredStudyUid, cancellationToken);

    /// <summary>Hands on one fragment; waits while the upload is a window behind. After a failure bytes are discarded.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken)
    {
        Length += fragment.Length;
        await _pipe.Writer.WriteAsync(fragment, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last fragment arrived: waits for the check and the upload, then commits.</summary>
    public async Task<StoreOutcome> CompleteAsync(CancellationToken cancellationToken) =>
        await EndAsync().ConfigureAwait(false) ?? await CommitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The last byte arrived: waits for the check and the upload; the failure, or null when it may be committed.</summary>
    public async Task<StoreOutcome?> EndAsync()
    {
        _completed = true;
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        return await _consumer.ConfigureAwait(false) switch
        {
            null => null,
            StorageWriteException => StoreOutcome.StorageUnavailable,
            StudyMismatchException => StoreOutcome.StudyMismatch,
            OperationCanceledException canceled => throw canceled,
            _ => StoreOutcome.Malformed,
        };
    }

    /// <summary>Makes an instance that passed <see cref="EndAsync"/> visible in the store.</summary>
    public async Task<StoreOutcome> CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _upload.CommitAsync(cancellationToken).ConfigureAwait(false) ? StoreOutcome.Stored : StoreOutcome.AlreadyStored;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return StoreOutcome.StorageUnavailable;
        }
    }

    private async Task<Exception?> ConsumeAsync(byte[] fileMeta, string sopInstanceUid, TransferSyntax syntax, string? requiredStudyUid, CancellationToken cancellationToken)
    {
        bool studyMatched = false;
        try
        {
            await WriteToUploadAsync(fileMeta, cancellationToken).ConfigureAwait(false);
            await using var received = new CopyingReadStream(_pipe.Reader.AsStream(leaveOpen: true), this);
            await using var dataset = syntax.IsDeflated ? new DeflateStream(received, CompressionMode.Decompress, leaveOpen: true) : (Stream)received;
            using (var reader = new DicomStreamReader(dataset, new DicomReaderState(syntax)))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reader.HasValueChunks) await reader.SkipValueAsync(cancellationToken).ConfigureAwait(false);
                    else if (reader.State.Depth == 0 && reader.TokenType == DicomTokenType.Element && reader.Tag == DicomTags.SOPInstanceUID
                        && UidValue(reader.Value.Span) != sopInstanceUid)
                    {
                        throw new DicomFormatException(DicomFormatErrorKind.Malformed, "the data set's SOP Instance UID differs from the command's", reader.TokenOffset, DicomTags.SOPInstanceUID);
                    }
                    else if (requiredStudyUid is not null && reader.State.Depth == 0 && reader.TokenType == DicomTokenType.Element && reader.Tag == DicomTags.StudyInstanceUID)
                    {
                        studyMatched = UidValue(reader.Value.Span) == requiredStudyUid;
                    }
                }
            }

            if (requiredStudyUid is not null && !studyMatched) throw new StudyMismatchException();

            // Bytes after a deflated data set's end still belong to what was sent.
            await received.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            // Unblocks the writer: after a failure, fragments still arriving are discarded.
            await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static string UidValue(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    private async ValueTask WriteToUploadAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _upload.Content.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new StorageWriteException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // Abandoned (abort, timeout, shutdown): the check stops, the upload is never committed.
            await _pipe.Writer.CompleteAsync(new OperationCanceledException("The instance was abandoned.")).ConfigureAwait(false);
            await _consumer.ConfigureAwait(false);
        }

        await _upload.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The data set's Study Instance UID is not the one the request named.</summary>
    private sealed class StudyMismatchException() : Exception("The data set belongs to another study.");

    /// <summary>The store failed while taking bytes.</summary>
    private sealed class StorageWriteException(Exception inner) : Exception("The instance store failed.", inner);

    /// <summary>A read-only stream over the received bytes that copies every byte it hands out into the upload.</summary>
    private sealed class CopyingReadStream(Stream source, InstanceReceiver receiver) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0) await receiver.WriteToUploadAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) source.Dispose();
            base.Dispose(disposing);
        }
    }
}
