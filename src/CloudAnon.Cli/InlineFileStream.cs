using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CloudAnon.Cli;

/// <summary>
/// A local file whose asynchronous calls run inline. FileStream hands each async call on a synchronous handle to the
/// thread pool, and an asynchronous handle does the same on Linux; for files in the page cache the hop costs more than
/// the read or write itself, so the CLI's parallel workers do their file I/O on their own threads.
/// </summary>
internal sealed class InlineFileStream : FileStream
{
    public InlineFileStream(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options = FileOptions.None)
        : base(path, mode, access, share, bufferSize, options)
    {
    }

    public InlineFileStream(SafeFileHandle handle, FileAccess access, int bufferSize) : base(handle, access, bufferSize)
    {
    }

    /// <summary>Sequential reads; the codec buffers tokens itself.</summary>
    public static InlineFileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // A subclass's span overloads go through a rented copy (FileStream keeps them for overriders): use the array behind the memory.
        return new ValueTask<int>(MemoryMarshal.TryGetArray(buffer, out ArraySegment<byte> array)
            ? Read(array.Array!, array.Offset, array.Count)
            : Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (MemoryMarshal.TryGetArray(buffer, out ArraySegment<byte> array)) Write(array.Array!, array.Offset, array.Count);
        else Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Flush();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
