using System.Buffers;
using System.Diagnostics;
using CloudAnon.Dicom;
using CloudAnon.Network.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace CloudAnon.Network.Stow;

/// <summary>
/// One STOW-RS request (PS3.18 10.5): a multipart/related body of application/dicom parts, read as a stream part by part;
/// each part's File Meta Information is checked, then its data set goes into the store through an
/// <see cref="InstanceReceiver"/> exactly as a C-STORE's does (checked by the codec, committed only whole). Memory is the
/// multipart reader's buffer and the receiver's window, whatever the sizes; nothing touches local disk.
/// </summary>
internal sealed partial class StowRequestHandler(IInstanceStore store, long maxRequestLength, ILogger logger, GatewayMetrics metrics)
{
    private const int CopyBufferSize = 64 * 1024;
    private const int MaxBoundaryLength = 200;

    private long _nextId;

    public async Task HandleAsync(HttpContext context)
    {
        long id = Interlocked.Increment(ref _nextId);
        var clock = Stopwatch.StartNew();
        var remote = context.Connection.RemoteIpAddress;
        var study = context.Request.RouteValues.TryGetValue("study", out var value) ? value as string : null;
        var (status, outcome, parts, bytes) = await ReceiveAsync(id, context, study).ConfigureAwait(false);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "30";
        if (parts.Count > 0)
        {
            context.Response.ContentType = StowResponse.MediaType;
            await StowResponse.WriteAsync(context.Response.Body, parts, context.RequestAborted).ConfigureAwait(false);
        }

        metrics.RecordAssociation(outcome);
        LogRequest(id, remote, status, outcome, parts.Count(p => p.Stored), parts.Count, bytes, clock.ElapsedMilliseconds);
    }

    private async Task<(int Status, string Outcome, List<PartResult> Parts, long Bytes)> ReceiveAsync(long id, HttpContext context, string? study)
    {
        var parts = new List<PartResult>();
        long bytes = 0;
        if (study is not null && !DicomUid.IsValid(study)) return (StatusCodes.Status400BadRequest, "stow-bad-study-uid", parts, 0);
        if (!TryGetDicomBoundary(context.Request.ContentType, out var boundary, out int mediaTypeStatus)) return (mediaTypeStatus, "stow-unsupported-media-type", parts, 0);

        var reader = new MultipartReader(boundary, context.Request.Body);
        bool storageDown = false;
        try
        {
            var section = await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false);
            while (section is not null)
            {
                await using var part = await ReceivePartAsync(id, section, study, storageDown, context.RequestAborted).ConfigureAwait(false);
                // A part is committed only once the multipart goes on properly after it: a body cut or garbled after the
                // last byte of a part still leaves nothing of that part in the store.
                section = await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false);
                var result = await FinishAsync(id, part, context.RequestAborted).ConfigureAwait(false);
                parts.Add(result);
                bytes += part.Length;
                storageDown |= result.FailureReason == StowResponse.OutOfResources;
            }
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits: the body over MaxRequestLength (413), a sender too slow or gone (400).
            return (e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "stow-too-large" : "stow-bad-request", [], bytes);
        }
        catch (PartTooLargeException)
        {
            return (StatusCodes.Status413PayloadTooLarge, "stow-too-large", [], bytes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return (StatusCodes.Status400BadRequest, "stow-malformed-multipart", [], bytes);
        }

        if (parts.Count == 0) return (StatusCodes.Status400BadRequest, "stow-no-parts", parts, 0);
        int status = StowResponse.HttpStatus(parts);
        return (status, status switch { 200 => "stow-stored", 202 => "stow-partly-stored", 503 => "stow-storage-unavailable", _ => "stow-none-stored" }, parts, bytes);
    }

    /// <summary>multipart/related; type="application/dicom" with a boundary, else 415 (another type) or 400 (no boundary).</summary>
    private static bool TryGetDicomBoundary(string? contentType, out string boundary, out int status)
    {
        boundary = "";
        status = StatusCodes.Status415UnsupportedMediaType;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase)) return false;
        var type = mediaType.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase))?.Value ?? default;
        if (!HeaderUtilities.RemoveQuotes(type).Equals("application/dicom", StringComparison.OrdinalIgnoreCase)) return false;

        status = StatusCodes.Status400BadRequest;
        boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).ToString();
        // RFC 2046 allows 70 characters; senders exceed it (Orthanc's DICOMweb client uses 73), so allow more, still bounded.
        return boundary.Length is > 0 and <= MaxBoundaryLength;
    }

    /// <summary>Reads one part to its end: refused on its header alone, or streamed into the store and checked, not yet committed.</summary>
    private async Task<ReceivedPart> ReceivePartAsync(long id, MultipartSection section, string? study, bool storageDown, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (DeclaredLength(section) > maxRequestLength) throw new PartTooLargeException();
        var body = new CountingStream(section.Body);
        if (section.ContentType is { } partType && !IsDicomPart(partType)) return Refused(id, new PartResult(null, null, StowResponse.ProcessingFailure), "not-application-dicom", body);

        Part10Header header;
        try
        {
            header = await Part10Header.ReadAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (DicomFormatException)
        {
            return Refused(id, new PartResult(null, null, StowResponse.CannotUnderstand), "no-readable-file-meta", body);
        }

        bool readable = AssociationNegotiator.IsReadable(header.TransferSyntaxUid, out var syntax);
        var refusal = !StorageSopClasses.IsStorage(header.SopClassUid) ? StowResponse.SopClassNotSupported
            : !readable ? StowResponse.TransferSyntaxNotSupported
            : storageDown ? StowResponse.OutOfResources
            : (ushort)0;
        if (refusal != 0) return Refused(id, new PartResult(header.SopClassUid, header.SopInstanceUid, refusal), $"refused-{refusal:X4}", body);

        var instance = InstanceReceiver.Start(store, header.Bytes, header.SopInstanceUid, syntax, study, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await instance.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            // A part that declares its length must have it; otherwise the body is not what the sender meant.
            if (DeclaredLength(section) is { } declared && declared != body.Length) throw new InvalidDataException("A part's Content-Length differs from its body.");
            var failed = await instance.EndAsync().ConfigureAwait(false);
            return new ReceivedPart(body, new PartResult(header.SopClassUid, header.SopInstanceUid, 0), instance, failed, started);
        }
        catch
        {
            await instance.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private ReceivedPart Refused(long id, PartResult result, string reason, CountingStream body)
    {
        LogRefusedPart(id, reason);
        return new ReceivedPart(body, result);
    }

    /// <summary>Commits an instance that passed its check, then logs and counts it; a refused part's result as it is.</summary>
    private async Task<PartResult> FinishAsync(long id, ReceivedPart part, CancellationToken cancellationToken)
    {
        if (part.Instance is not { } instance) return part.Result;
        var outcome = part.Failed ?? await instance.CommitAsync(cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(part.Started);
        metrics.RecordInstance("stow", outcome, instance.Length, elapsed);
        LogInstance(id, instance.Key, instance.Length, outcome.Name(), (long)elapsed.TotalMilliseconds);
        return part.Result with { FailureReason = StowResponse.FailureReason(outcome) };
    }

    /// <summary>
    /// A part read to its end: refused on its header (<see cref="Instance"/> null), or an instance whose check ended
    /// (<see cref="Failed"/> null when it passed) and that awaits its commit.
    /// </summary>
    private sealed class ReceivedPart(CountingStream body, PartResult result, InstanceReceiver? instance = null, StoreOutcome? failed = null, long started = 0) : IAsyncDisposable
    {
        public PartResult Result => result;
        public InstanceReceiver? Instance => instance;
        public StoreOutcome? Failed => failed;
        public long Started => started;

        /// <summary>Bytes of the part's body.</summary>
        public long Length => body.Length;

        public ValueTask DisposeAsync() => instance?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private static bool IsDicomPart(string partType) =>
        MediaTypeHeaderValue.TryParse(partType, out var mediaType) && mediaType.MediaType.Equals("application/dicom", StringComparison.OrdinalIgnoreCase);

    private static long? DeclaredLength(MultipartSection section) =>
        section.Headers is { } headers && headers.TryGetValue(HeaderNames.ContentLength, out var text) && long.TryParse(text, out long length) ? length : null;

    /// <summary>A part declares more bytes than a request may have.</summary>
    private sealed class PartTooLargeException() : Exception("A part declares a length over the request limit.");

    /// <summary>A read-only pass-through that counts the bytes read: a part's length, known only at its end.</summary>
    private sealed class CountingStream(Stream source) : Stream
    {
        private long _read;

        public override long Length => _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            _read += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "stow request {Id} from {Remote}: {Status} {Outcome}, {Stored} of {Parts} instances stored, {Bytes} bytes, {Milliseconds} ms")]
    private partial void LogRequest(long id, System.Net.IPAddress? remote, int status, string outcome, int stored, int parts, long bytes, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "stow request {Id} instance {Key}: {Bytes} bytes, {Outcome}, {Milliseconds} ms")]
    private partial void LogInstance(long id, string key, long bytes, string outcome, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "stow request {Id}: a part refused, {Reason}")]
    private partial void LogRefusedPart(long id, string reason);
}
