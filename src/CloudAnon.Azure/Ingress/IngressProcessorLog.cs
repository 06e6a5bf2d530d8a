using Microsoft.Extensions.Logging;

namespace CloudAnon.Azure.Ingress;

/// <summary>The processor's log entries: message templates naming the blob by its keyed hash, never by its name.</summary>
public sealed partial class IngressProcessor
{
    /// <param name="target">The quarantine reason or the egress name, whichever the outcome has.</param>
    [LoggerMessage(1, LogLevel.Information, "Ingress blob {BlobKey}: {Kind} {Target}, {Bytes} bytes in {DurationMs:F0} ms")]
    private partial void LogOutcome(string blobKey, IngressOutcomeKind kind, string? target, long bytes, double durationMs);

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

    [LoggerMessage(7, LogLevel.Information, "Ingress blob {BlobKey} was settled by another processor or replaced during processing: left as it is")]
    private partial void LogIngressChanged(string blobKey);

    [LoggerMessage(8, LogLevel.Warning, "Ingress blob {BlobKey}: the input's structure was repaired in the output: {Repairs}")]
    private partial void LogStructureRepaired(string blobKey, string repairs);

    [LoggerMessage(9, LogLevel.Error, "Ingress blob {BlobKey} quarantined as {QuarantineBlob} after its deliveries kept failing, without an audit record: {ReasonCode}")]
    private partial void LogUnrecorded(string blobKey, string quarantineBlob, string reasonCode);
}
