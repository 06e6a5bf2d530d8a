using System.Diagnostics;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Azure.Audit;
using CloudAnon.Core;
using CloudAnon.Core.Audit;
using CloudAnon.Dicom;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// Processes one ingress blob: snapshot (one ranged GET) → codec → <see cref="Deidentifier"/> → written once to egress
/// under <c>{Study}/{Series}/{SOP Instance}.dcm</c> from the de-identified UIDs; or, when the file is refused, a copy of
/// the original bytes in quarantine under an opaque name with a reason code; then its audit record is written (when the
/// processor has an <see cref="IAuditSink"/>), and only then is the ingress blob settled (marked or deleted), so a file
/// whose output exists without its record is still unsettled and its retry writes the record. Thread-safe; see
/// docs/pipeline.md for the requests per file and docs/audit.md for the records.
/// </summary>
/// <remarks>
/// Failures of the file (unreadable, refused by the engine or by its policy) quarantine it. Failures of the environment
/// (storage, mapping table, certificate) are thrown after nothing was committed, so the trigger retries the blob.
/// <see cref="IngressFailure.Classify"/> tells the two apart.
/// </remarks>
public sealed partial class IngressProcessor
{
    public const string DicomContentType = "application/dicom";

    private readonly IngressContainers _containers;
    private readonly Deidentifier _deidentifier;
    private readonly IngressProcessorOptions _options;
    private readonly ILogger<IngressProcessor> _logger;
    private readonly BlobNameHasher _names;
    private readonly IAuditSink? _audit;

    /// <param name="audit">Where each file's record goes; the <paramref name="deidentifier"/> must then record audits.</param>
    public IngressProcessor(IngressContainers containers, Deidentifier deidentifier, IngressProcessorOptions options, ILogger<IngressProcessor> logger,
        IAuditSink? audit = null)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(deidentifier);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.BlobNameHashKey is { Length: < 32 })
        {
            throw new ArgumentException("The blob name hash key must hold at least 32 bytes.", nameof(options));
        }
        if (audit is not null && !deidentifier.Options.RecordAudit)
        {
            throw new ArgumentException("Audit records are written only by a de-identifier that records them (RecordAudit).", nameof(audit));
        }

        _containers = containers;
        _deidentifier = deidentifier;
        _options = options;
        _logger = logger;
        _names = new BlobNameHasher(options.BlobNameHashKey ?? RandomNumberGenerator.GetBytes(32));
        _audit = audit;
    }

    /// <summary>A keyed hash of an ingress blob name (16 hex digits): correlates log entries without revealing the name.</summary>
    public string BlobKey(string blobName) => _names.BlobKey(blobName);

    public async Task<IngressOutcome> ProcessAsync(string blobName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        var stopwatch = Stopwatch.StartNew();
        var blobKey = BlobKey(blobName);
        using var snapshot = await ReadSnapshotAsync(blobName, blobKey, cancellationToken).ConfigureAwait(false);
        if (snapshot is null) return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, 0, stopwatch.Elapsed);
        if (snapshot.AlreadyProcessed)
        {
            LogAlreadyMarked(blobKey, snapshot.Bytes);
            return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, snapshot.Bytes, stopwatch.Elapsed);
        }

        IngressOutcomeKind kind;
        string? egressName, reason;
        try
        {
            AuditRecord? record;
            (kind, egressName, reason, record) = await DeidentifyAsync(snapshot, blobKey, cancellationToken).ConfigureAwait(false);
            var quarantineName = reason is null ? null : await QuarantineAsync(snapshot, blobName, blobKey, reason, cancellationToken).ConfigureAwait(false);
            // Also when the egress blob was there already: a retry after a fault between output and record writes it now.
            await RecordAsync(record, quarantineName, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 412)
        {
            // A ranged read met a newer version: another processor settled the blob, or an upload replaced it.
            LogIngressChanged(blobKey);
            return new IngressOutcome(IngressOutcomeKind.DoneByAnother, null, null, snapshot.Bytes, stopwatch.Elapsed);
        }

        if (!await IngressSettlement.SettleAsync(snapshot, kind == IngressOutcomeKind.Quarantine, _options.DeleteIngressAfterSuccess, cancellationToken).ConfigureAwait(false))
        {
            LogIngressChanged(blobKey);
            if (kind == IngressOutcomeKind.AlreadyDone) kind = IngressOutcomeKind.DoneByAnother;
        }

        var outcome = new IngressOutcome(kind, egressName, reason, snapshot.Bytes, stopwatch.Elapsed);
        LogOutcome(blobKey, outcome.Kind, outcome.ReasonCode ?? outcome.EgressBlobName, outcome.Bytes, outcome.Duration.TotalMilliseconds);
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
        var blobKey = BlobKey(blobName);
        using var snapshot = await ReadSnapshotAsync(blobName, blobKey, cancellationToken).ConfigureAwait(false);
        if (snapshot is null) return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, 0, stopwatch.Elapsed);
        var quarantineName = await QuarantineAsync(snapshot, blobName, blobKey, reason, cancellationToken).ConfigureAwait(false);
        try
        {
            await RecordAsync(AuditRecord.Refused(_deidentifier.Options, reason), quarantineName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IngressFailure.Classify(exception) is { IsEnvironmental: true } failure)
        {
            // The last resort for a blob whose deliveries keep failing, often because Table Storage itself is down: the
            // quarantine copy is what must not be lost, so it settles without its record and the log says so.
            LogUnrecorded(blobKey, quarantineName, failure.Reason);
        }

        if (!await IngressSettlement.SettleAsync(snapshot, quarantined: true, _options.DeleteIngressAfterSuccess, cancellationToken).ConfigureAwait(false))
        {
            LogIngressChanged(blobKey);
        }

        return new IngressOutcome(IngressOutcomeKind.Quarantine, null, reason, snapshot.Bytes, stopwatch.Elapsed);
    }

    private async Task<IngressSnapshot?> ReadSnapshotAsync(string blobName, string blobKey, CancellationToken cancellationToken)
    {
        var snapshot = await IngressSnapshot.ReadAsync(_containers.Ingress.GetBlobClient(blobName), cancellationToken).ConfigureAwait(false);
        if (snapshot is null) LogIngressGone(blobKey);
        return snapshot;
    }

    /// <summary>
    /// De-identifies and commits to egress; returns the quarantine reason instead when <see cref="IngressFailure"/> finds
    /// the file at fault: unreadable (the header, or a long value the engine or the writer reads later) or refused by the
    /// engine, whose policy refusals come before it resolves a single replacement. The audit record comes with it: the
    /// engine's, or a refusal's in the study the file would have joined when its header was read.
    /// </summary>
    private async Task<(IngressOutcomeKind Kind, string? EgressName, string? Reason, AuditRecord? Record)> DeidentifyAsync(
        IngressSnapshot snapshot, string blobKey, CancellationToken cancellationToken)
    {
        // The codec leaves pixel data in the blob and the writer copies it through, so memory is the snapshot's head plus
        // one block whatever the size.
        var source = snapshot.OpenRead();
        await using (source.ConfigureAwait(false))
        {
            DicomFile? file = null;
            DeidentificationResult? result = null;
            try
            {
                file = await DicomFile.OpenAsync(source, cancellationToken: cancellationToken).ConfigureAwait(false);
                result = await _deidentifier.DeidentifyAsync(file, cancellationToken).ConfigureAwait(false);
                // Tags and kinds only, never values.
                if (result.StructureRepairs.Count > 0) LogStructureRepaired(blobKey, string.Join("; ", result.StructureRepairs));
                var egressName = EgressUpload.BlobName(result);
                var committed = await EgressUpload.WriteOnceAsync(_containers.Egress.GetBlockBlobClient(egressName), file, cancellationToken).ConfigureAwait(false);
                return (committed ? IngressOutcomeKind.Egress : IngressOutcomeKind.AlreadyDone, egressName, null, result.Audit);
            }
            catch (Exception exception) when (IngressFailure.Classify(exception) is { IsEnvironmental: false } failure)
            {
                LogFileFailure(blobKey, exception);
                // After the engine the data set holds the de-identified UIDs; before it, the originals the engine would replace.
                var study = result?.StudyInstanceUid ?? (file is null ? null : _deidentifier.DeidentifiedStudyUid(file.Dataset));
                return (IngressOutcomeKind.Quarantine, null, failure.Reason, AuditRecord.Refused(_deidentifier.Options, failure.Reason, study));
            }
            finally
            {
                file?.Dispose();
            }
        }
    }

    private async Task RecordAsync(AuditRecord? record, string? quarantineName, CancellationToken cancellationToken)
    {
        if (_audit is null) return;
        await _audit.WriteAsync(record ?? throw new InvalidOperationException("The engine returned no audit record."), quarantineName, cancellationToken)
            .ConfigureAwait(false);
    }

    private void LogFileFailure(string blobKey, Exception exception)
    {
        if (exception is DicomFormatException format) LogUnreadable(blobKey, format.Reason, format.Offset);
        else if (exception is DeidentificationException refused) LogRefused(blobKey, refused.Failure, refused.Message);
    }

    /// <summary>Copies the file to quarantine; returns its quarantine name.</summary>
    private async Task<string> QuarantineAsync(IngressSnapshot snapshot, string blobName, string blobKey, string reason, CancellationToken cancellationToken)
    {
        var quarantineName = _names.QuarantineName(blobName, snapshot.Version);
        await QuarantineCopy.WriteAsync(_containers.Quarantine.GetBlockBlobClient(quarantineName), snapshot, reason, cancellationToken).ConfigureAwait(false);
        LogQuarantined(blobKey, reason, quarantineName, snapshot.Bytes);
        return quarantineName;
    }
}
