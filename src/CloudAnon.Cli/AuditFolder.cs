using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core;
using CloudAnon.Core.Audit;
using CloudAnon.Dicom;

namespace CloudAnon.Cli;

/// <summary>
/// --audit DIR: one JSON record per file and outcome, written whole or not at all. A de-identified file's record is
/// named by its new SOP Instance UID, a refused file's by its quarantine name under <c>cloudanon process</c>, else by a
/// random name: never by an input name or a value. Rewriting a record (a retried file) replaces it.
/// </summary>
internal sealed class AuditFolder(string directory, AtomicFile files, DeidentificationOptions options) : IAuditSink
{
    public Task WriteAsync(AuditRecord record, string? quarantineName, CancellationToken cancellationToken)
    {
        string name = record.Outcome == AuditOutcome.Deidentified && DicomUid.IsValid(record.SopInstanceUid)
            ? $"{record.SopInstanceUid}.json"
            : $"{(record.Outcome == AuditOutcome.Refused ? "refused" : "deidentified")}-{quarantineName ?? Guid.NewGuid().ToString("N")}.json";
        return files.WriteAsync(Path.Combine(directory, name), stream => stream.WriteAsync(record.ToJson(), cancellationToken).AsTask(), cancellationToken);
    }

    /// <summary>The record of a file that was not written, with the reason the one classifier of failures gives.</summary>
    public Task WriteRefusalAsync(Exception failure, CancellationToken cancellationToken) =>
        WriteAsync(AuditRecord.Refused(options, IngressFailure.Classify(failure).Reason), quarantineName: null, cancellationToken);
}
