using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Core;
using CloudAnon.Dicom;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// Processes one ingress blob: streamed read → codec → <see cref="Deidentifier"/> → staged blocks committed once to egress
/// under <c>{Study}/{Series}/{SOP Instance}.dcm</c> from the de-identified UIDs; or, when the file is refused, a copy of
/// the original bytes in quarantine under an opaque name with a reason code. Thread-safe; see docs/pipeline.md.
/// </summary>
/// <remarks>
/// Failures of the file (unreadable, refused by the engine or by policy) quarantine it. Failures of the environment
/// (storage, mapping table, certificate) are thrown after nothing was committed, so the trigger retries the blob.
/// </remarks>
public sealed partial class IngressProcessor
{
    public const string DicomContentType = "application/dicom";

    private readonly IngressContainers _containers;
    private readonly Deidentifier _deidentifier;
    private readonly IngressProcessorOptions _options;
    private readonly ILogger<IngressProcessor> _logger;
    private readonly byte[] _nameHashKey;

    public IngressProcessor(IngressContainers containers, Deidentifier deidentifier, IngressProcessorOptions options, ILogger<IngressProcessor> logger)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(deidentifier);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.BlobNameHashKey is { Length: < 32 })
        {
            throw new ArgumentException("The blob name hash key must hold at least 32 bytes.", nameof(options));
        }

        _containers = containers;
        _deidentifier = deidentifier;
        _options = options;
        _logger = logger;
        _nameHashKey = options.BlobNameHashKey ?? RandomNumberGenerator.GetBytes(32);
    }

    /// <summary>A keyed hash of an ingress blob name (16 hex digits): correlates log entries without revealing the name.</summary>
    public string BlobKey(string blobName) => KeyedHash(blobName)[..16];

    public async Task<IngressOutcome> ProcessAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var stopwatch = Stopwatch.StartNew();
        var snapshot = await ReadSnapshotAsync(blobName, cancellationToken).ConfigureAwait(false);
        if (snapshot is null) return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, 0, stopwatch.Elapsed);
        if (snapshot.AlreadyProcessed)
        {
            LogAlreadyMarked(snapshot.BlobKey, snapshot.Bytes);
            return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, snapshot.Bytes, stopwatch.Elapsed);
        }

        var (kind, egressName, reason) = await DeidentifyAsync(snapshot, cancellationToken).ConfigureAwait(false);
        if (reason is not null)
        {
            await QuarantineAsync(snapshot, blobName, reason, cancellationToken).ConfigureAwait(false);
        }

        await SettleIngressAsync(snapshot, kind == IngressOutcomeKind.Quarantine, cancellationToken).ConfigureAwait(false);

        var outcome = new IngressOutcome(kind, egressName, reason, snapshot.Bytes, stopwatch.Elapsed);
        LogOutcome(snapshot.BlobKey, outcome.Kind, outcome.ReasonCode, outcome.EgressBlobName, outcome.Bytes, outcome.Duration.TotalMilliseconds);
        return outcome;
    }

    /// <summary>
    /// Quarantines an ingress blob with <paramref name="reason"/> without processing it (for a blob whose deliveries keep
    /// failing), then settles it as <see cref="ProcessAsync"/> does.
    /// </summary>
    public async Task<IngressOutcome> QuarantineAsync(string blobName, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var stopwatch = Stopwatch.StartNew();
        var snapshot = await ReadSnapshotAsync(blobName, cancellationToken).ConfigureAwait(false);
        if (snapshot is null) return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, 0, stopwatch.Elapsed);
        await QuarantineAsync(snapshot, blobName, reason, cancellationToken).ConfigureAwait(false);
        await SettleIngressAsync(snapshot, quarantined: true, cancellationToken).ConfigureAwait(false);
        return new IngressOutcome(IngressOutcomeKind.Quarantine, null, reason, snapshot.Bytes, stopwatch.Elapsed);
    }

    /// <summary>The blob's current version, or null when it is gone (deleted after an earlier delivery, or withdrawn).</summary>
    private async Task<IngressSnapshot?> ReadSnapshotAsync(string blobName, CancellationToken cancellationToken)
    {
        var blobKey = BlobKey(blobName);
        var ingress = _containers.Ingress.GetBlobClient(blobName);
        BlobProperties properties;
        try
        {
            properties = await ingress.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            LogIngressGone(blobKey);
            return null;
        }

        // A version identifies the content: its MD5 when the service computed one (single-shot uploads), else the ETag.
        string version = properties.ContentHash is { Length: > 0 } md5 ? Convert.ToBase64String(md5) : properties.ETag.ToString();
        return new IngressSnapshot(ingress, blobKey, properties.ETag, version, properties.ContentLength, properties.Metadata.ContainsKey(IngressMetadata.Processed));
    }

    /// <summary>De-identifies and commits to egress; returns the quarantine reason instead when the file is refused.</summary>
    private async Task<(IngressOutcomeKind Kind, string? EgressName, string? Reason)> DeidentifyAsync(
        IngressSnapshot snapshot, CancellationToken cancellationToken)
    {
        // A seekable ranged-read stream: the codec leaves pixel data in the blob and the writer copies it through, so
        // memory is the read buffer plus one block whatever the size. The ETag condition fails the read (412) if the
        // blob is replaced meanwhile, instead of mixing two versions.
        var source = await snapshot.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            DicomFile file;
            try
            {
                file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (DicomFormatException exception)
            {
                LogUnreadable(snapshot.BlobKey, exception.Reason, exception.Offset);
                return (IngressOutcomeKind.Quarantine, null, QuarantineReasons.FromFormatError(exception));
            }

            using (file)
            {
                DeidentificationResult result;
                try
                {
                    result = await _deidentifier.DeidentifyAsync(file, cancellationToken).ConfigureAwait(false);
                }
                catch (DeidentificationException exception) when (IsCausedByFile(exception.Failure))
                {
                    LogRefused(snapshot.BlobKey, exception.Failure, exception.Message);
                    return (IngressOutcomeKind.Quarantine, null, QuarantineReasons.From(exception.Failure));
                }
                catch (DicomFormatException exception)
                {
                    // A long value the engine had to read (in the blob, not yet loaded) turned out malformed or cut short.
                    LogUnreadable(snapshot.BlobKey, exception.Reason, exception.Offset);
                    return (IngressOutcomeKind.Quarantine, null, QuarantineReasons.FromFormatError(exception));
                }

                if (PolicyRefusal(result.BurnedInAnnotation) is { } refusal)
                {
                    return (IngressOutcomeKind.Quarantine, null, refusal);
                }

                var egressName = EgressBlobName(result);
                var egress = _containers.Egress.GetBlockBlobClient(egressName);
                if (await egress.ExistsAsync(cancellationToken).ConfigureAwait(false))
                {
                    return (IngressOutcomeKind.AlreadyDone, egressName, null);
                }

                try
                {
                    var committed = await UploadAsync(egress, file, cancellationToken).ConfigureAwait(false);
                    return (committed ? IngressOutcomeKind.Egress : IngressOutcomeKind.AlreadyDone, egressName, null);
                }
                catch (DicomFormatException exception)
                {
                    // Bulk data is read only while writing: a file cut short inside its pixel data fails here, before commit.
                    LogUnreadable(snapshot.BlobKey, exception.Reason, exception.Offset);
                    return (IngressOutcomeKind.Quarantine, null, QuarantineReasons.Unparseable);
                }
            }
        }
    }

    /// <summary>
    /// Writes the de-identified file as staged blocks and commits them if no egress blob of that name exists yet
    /// (If-None-Match: *). Returns false when another delivery of the same file committed first: egress blobs are written
    /// once and never replaced, so consumers see one creation per instance.
    /// </summary>
    private static async Task<bool> UploadAsync(BlockBlobClient egress, DicomFile file, CancellationToken cancellationToken)
    {
        using var upload = new StagedBlockWriteStream(egress);
        await file.SaveAsync(upload, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            await upload.CommitAsync(
                new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = DicomContentType },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412 or 400)
        {
            // 409/412: the blob exists. 400 InvalidBlockList: a concurrent commit of the same name discarded our blocks.
            if (await egress.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>
    /// Copies the original bytes to quarantine under a keyed hash of the ingress name and content version, with the reason
    /// only: a re-delivery, or the same bytes uploaded again under the same name, lands on the same quarantine blob.
    /// </summary>
    private async Task QuarantineAsync(IngressSnapshot snapshot, string blobName, string reason, CancellationToken cancellationToken)
    {
        var quarantineName = KeyedHash(blobName + "\n" + snapshot.Version);
        var quarantine = _containers.Quarantine.GetBlockBlobClient(quarantineName);
        var source = await snapshot.OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            using var upload = new StagedBlockWriteStream(quarantine);
            await source.CopyToAsync(upload, cancellationToken).ConfigureAwait(false);
            try
            {
                await upload.CommitAsync(
                    new CommitBlockListOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                        Metadata = new Dictionary<string, string> { [IngressMetadata.Reason] = reason },
                        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412)
            {
                // The same version of the same blob was quarantined by an earlier delivery.
            }
        }

        LogQuarantined(snapshot.BlobKey, reason, quarantineName, snapshot.Bytes);
    }

    /// <summary>
    /// After the output is committed: delete the ingress blob, or mark it processed so backfill skips it. Both are
    /// conditional on the version that was read: a blob replaced meanwhile is left for its own delivery.
    /// </summary>
    private async Task SettleIngressAsync(IngressSnapshot snapshot, bool quarantined, CancellationToken cancellationToken)
    {
        var conditions = new BlobRequestConditions { IfMatch = snapshot.ETag };
        try
        {
            if (_options.DeleteIngressAfterSuccess)
            {
                await snapshot.Blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false);
                return;
            }

            // Setting metadata replaces all of it: keep the uploader's (it stays on the ingress blob, never copied).
            var properties = await snapshot.Blob.GetPropertiesAsync(conditions, cancellationToken).ConfigureAwait(false);
            var metadata = new Dictionary<string, string>(properties.Value.Metadata)
            {
                [IngressMetadata.Processed] = quarantined ? IngressMetadata.ProcessedQuarantine : IngressMetadata.ProcessedEgress,
            };
            await snapshot.Blob.SetMetadataAsync(metadata, conditions, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            LogIngressChanged(snapshot.BlobKey);
        }
    }

    private string? PolicyRefusal(BurnedInAnnotation burnedIn) => burnedIn switch
    {
        BurnedInAnnotation.Yes when _options.QuarantineBurnedInAnnotation => QuarantineReasons.BurnedInAnnotation,
        BurnedInAnnotation.Suspected when _options.QuarantineSuspectedBurnedInAnnotation => QuarantineReasons.SuspectedBurnedInAnnotation,
        _ => null,
    };

    /// <summary>
    /// Refusals caused by the file itself. Certificate, mapping-store and storage failures are the environment's: they are
    /// rethrown so the trigger retries, rather than quarantining every file during an outage or misconfiguration.
    /// </summary>
    private static bool IsCausedByFile(DeidentificationFailure failure) =>
        failure is not (DeidentificationFailure.CertificateUnavailable or DeidentificationFailure.MappingStoreUnavailable);

    /// <summary>The egress name from de-identified UIDs only; anything but a plain UID is refused rather than used as a path.</summary>
    internal static string EgressBlobName(DeidentificationResult result)
    {
        foreach (var uid in new[] { result.StudyInstanceUid, result.SeriesInstanceUid, result.SopInstanceUid })
        {
            if (uid.Length is 0 or > 64 || uid.Any(c => c is not ('.' or (>= '0' and <= '9'))))
            {
                throw new InvalidOperationException("The engine returned a UID that is not digits and dots; nothing was written.");
            }
        }

        return $"{result.StudyInstanceUid}/{result.SeriesInstanceUid}/{result.SopInstanceUid}.dcm";
    }

    private string KeyedHash(string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_nameHashKey, Encoding.UTF8.GetBytes(value)));

    /// <summary>The version of the ingress blob being processed.</summary>
    private sealed record IngressSnapshot(BlobClient Blob, string BlobKey, ETag ETag, string Version, long Bytes, bool AlreadyProcessed)
    {
        public async Task<Stream> OpenReadAsync(CancellationToken cancellationToken) =>
            await Blob.OpenReadAsync(
                new BlobOpenReadOptions(allowModifications: false)
                {
                    // One ranged GET per 4 MiB; a small file gets a buffer of its own size.
                    BufferSize = (int)Math.Clamp(Bytes, 64 * 1024, StagedBlockWriteStream.BlockSize),
                    Conditions = new BlobRequestConditions { IfMatch = ETag },
                },
                cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Information, "Ingress blob {BlobKey}: {Kind} {ReasonCode} {EgressBlobName}, {Bytes} bytes in {DurationMs:F0} ms")]
    private partial void LogOutcome(string blobKey, IngressOutcomeKind kind, string? reasonCode, string? egressBlobName, long bytes, double durationMs);

    [LoggerMessage(2, LogLevel.Warning, "Ingress blob {BlobKey} quarantined as {QuarantineBlob}: {ReasonCode}, {Bytes} bytes")]
    private partial void LogQuarantined(string blobKey, string reasonCode, string quarantineBlob, long bytes);

    [LoggerMessage(3, LogLevel.Warning, "Ingress blob {BlobKey} is not readable DICOM: {FormatReason} at offset {Offset}")]
    private partial void LogUnreadable(string blobKey, string formatReason, long offset);

    [LoggerMessage(4, LogLevel.Warning, "Ingress blob {BlobKey} refused by the engine: {Failure} ({Detail})")]
    private partial void LogRefused(string blobKey, DeidentificationFailure failure, string detail);

    [LoggerMessage(5, LogLevel.Information, "Ingress blob {BlobKey} ({Bytes} bytes) is marked processed: skipped")]
    private partial void LogAlreadyMarked(string blobKey, long bytes);

    [LoggerMessage(6, LogLevel.Information, "Ingress blob {BlobKey} no longer exists: skipped")]
    private partial void LogIngressGone(string blobKey);

    [LoggerMessage(7, LogLevel.Information, "Ingress blob {BlobKey} was replaced or removed during processing: left as it is")]
    private partial void LogIngressChanged(string blobKey);
}
