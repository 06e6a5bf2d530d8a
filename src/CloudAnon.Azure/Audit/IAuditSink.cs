using CloudAnon.Core.Audit;

namespace CloudAnon.Azure.Audit;

/// <summary>Where the pipeline writes each file's <see cref="AuditRecord"/>: the audit table, and a folder under <c>cloudanon process --audit</c>.</summary>
public interface IAuditSink
{
    /// <summary>Writes (or rewrites, for a retried file) one record, whole; throws when it could not be written.</summary>
    /// <param name="quarantineName">A refused file's opaque quarantine blob name, which keys its record; null for a de-identified file.</param>
    Task WriteAsync(AuditRecord record, string? quarantineName, CancellationToken cancellationToken = default);
}
