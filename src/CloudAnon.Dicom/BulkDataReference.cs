using System.Buffers;

namespace CloudAnon.Dicom;

/// <summary>
/// A long value left where it is: a byte range of a seekable stream (the source file or blob, or a spool file for
/// sources that cannot seek). Copying it out is how pixel data streams through without being held in memory.
/// </summary>
public sealed class BulkDataReference(Stream source, long offset, long length, bool bigEndian)
{
    // Up to 1 MiB a read and a write: a whole frame of a CT or MR in one system call each.
    private const int CopyChunkSize = 1024 * 1024;

    public Stream Source { get; } = source;
    public long Offset { get; } = offset;
    public long Length { get; } = length;

    /// <summary>The bytes are in big-endian order (from an Explicit VR Big Endian data set).</summary>
    public bool IsBigEndian { get; } = bigEndian;

    /// <summary>Copies the bytes to <paramref name="destination"/>, byte-swapping units of <paramref name="swapUnit"/> bytes when it is above 1.</summary>
    public async ValueTask CopyToAsync(Stream destination, int swapUnit = 1, CancellationToken cancellationToken = default)
    {
        if (Source.Position != Offset) Source.Seek(Offset, SeekOrigin.Begin);
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(Length, 1, CopyChunkSize));
        try
        {
            long left = Length;
            while (left > 0)
            {
                // Keep whole swap units in every chunk so the swap never splits a number.
                int want = (int)Math.Min(left, buffer.Length);
                int read = await Source.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (read < want) throw new DicomFormatException(DicomFormatErrorKind.LengthBeyondData, "bulk data ends before its declared length", Offset + Length - left + read);
                if (swapUnit > 1) ByteSwap.InPlace(buffer.AsSpan(0, read), swapUnit);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>
    /// Reads the whole value into memory (for values the caller knows to be small enough), byte-swapping units of
    /// <paramref name="swapUnit"/> bytes when it is above 1.
    /// </summary>
    public async ValueTask<byte[]> ReadAllAsync(CancellationToken cancellationToken = default, int swapUnit = 1)
    {
        var bytes = new byte[Length];
        await ReadIntoAsync(bytes, cancellationToken).ConfigureAwait(false);
        if (swapUnit > 1) ByteSwap.InPlace(bytes, swapUnit);
        return bytes;
    }

    /// <summary>Reads the whole value, as stored, into the start of <paramref name="destination"/> (a buffer the caller reuses).</summary>
    public async ValueTask ReadIntoAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan((long)destination.Length, Length, nameof(destination));
        Source.Seek(Offset, SeekOrigin.Begin);
        int read = await Source.ReadAtLeastAsync(destination[..(int)Length], (int)Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < Length) throw new DicomFormatException(DicomFormatErrorKind.LengthBeyondData, "bulk data ends before its declared length", Offset + read);
    }
}

internal static class ByteSwap
{
    /// <summary>Reverses each whole unit of <paramref name="unit"/> bytes; a trailing partial unit (malformed odd length) is left as is.</summary>
    public static void InPlace(Span<byte> bytes, int unit)
    {
        int whole = bytes.Length - bytes.Length % unit;
        for (int i = 0; i < whole; i += unit) bytes.Slice(i, unit).Reverse();
    }
}
