using System.Buffers;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// The version of an ingress blob being processed, read with one request: a ranged GET of the first
/// <see cref="HeadBytes"/> brings its ETag, size, metadata and content together — the whole of a typical instance. The rest
/// of a larger blob is read on demand (<see cref="OpenRead"/>), conditional on that ETag, so two versions are never mixed.
/// The head buffer may hold PHI: it is cleared when the snapshot is disposed.
/// </summary>
internal sealed class IngressSnapshot : IDisposable
{
    /// <summary>One read covers files up to this size; larger ones read the rest in windows of the same size.</summary>
    public const int HeadBytes = StagedBlockWriteStream.BlockSize;

    private byte[]? _head;

    private IngressSnapshot(BlobClient blob, BlobDownloadDetails details, long length, byte[] head, int headLength)
    {
        Blob = blob;
        ETag = details.ETag;
        // A version identifies the content: its MD5 when the service computed one (single-shot uploads), else the ETag.
        Version = details.BlobContentHash is { Length: > 0 } md5 ? Convert.ToBase64String(md5) : details.ETag.ToString();
        Bytes = length;
        Metadata = details.Metadata;
        _head = head;
        HeadLength = headLength;
    }

    public BlobClient Blob { get; }

    public ETag ETag { get; }

    public string Version { get; }

    public long Bytes { get; }

    /// <summary>The uploader's metadata (kept on the ingress blob when it is marked, never copied elsewhere).</summary>
    public IDictionary<string, string> Metadata { get; }

    public bool AlreadyProcessed => Metadata.ContainsKey(IngressMetadata.Processed);

    internal int HeadLength { get; }

    internal ReadOnlySpan<byte> Head => (_head ?? throw new ObjectDisposedException(nameof(IngressSnapshot))).AsSpan(0, HeadLength);

    /// <summary>The blob's current version, or null when it is gone (deleted after an earlier delivery, or withdrawn).</summary>
    public static async Task<IngressSnapshot?> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        Response<BlobDownloadStreamingResult> response;
        try
        {
            response = await blob.DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(0, HeadBytes) }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException exception) when (exception.Status == 416)
        {
            // An empty blob: the service refuses any range of it. Read it whole (nothing to read).
            response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        using var result = response.Value;
        var details = result.Details;
        long length = TotalLength(details);
        var head = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(length, 1), HeadBytes));
        int read = 0;
        try
        {
            int n;
            while (read < head.Length && (n = await result.Content.ReadAsync(head.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(head, clearArray: true);
            throw;
        }

        return new IngressSnapshot(blob, details, length, head, (int)Math.Min(read, length));
    }

    /// <summary>A seekable read-only stream of this version: the head from memory, the rest by conditional ranged reads.</summary>
    public Stream OpenRead() => new BlobRangeReadStream(this);

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/> (beyond the head) of this version.</summary>
    /// <exception cref="RequestFailedException">412 when the blob changed since the snapshot.</exception>
    internal async Task<int> ReadRangeAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var options = new BlobDownloadOptions
        {
            Range = new HttpRange(offset, destination.Length),
            Conditions = new BlobRequestConditions { IfMatch = ETag },
        };
        using var result = (await Blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
        int read = 0, n;
        while (read < destination.Length && (n = await result.Content.ReadAsync(destination[read..], cancellationToken).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        return read;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _head, null) is { } head)
        {
            ArrayPool<byte>.Shared.Return(head, clearArray: true);
        }
    }

    /// <summary>The blob's size: the total of "bytes 0-N/TOTAL" for a ranged answer, else the body's length.</summary>
    private static long TotalLength(BlobDownloadDetails details) =>
        details.ContentRange is { } range && range.LastIndexOf('/') is var slash and >= 0
            && long.TryParse(range.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long total)
            ? total
            : details.ContentLength;
}
