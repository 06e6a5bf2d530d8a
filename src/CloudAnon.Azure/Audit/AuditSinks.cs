using CloudAnon.Core.Audit;

namespace CloudAnon.Azure.Audit;

/// <summary>Writes each record to several sinks in turn (the audit table, then a run's folder); the first failure stops it.</summary>
internal sealed class AuditSinks(IReadOnlyList<IAuditSink> sinks) : IAuditSink
{
    public async Task WriteAsync(AuditRecord record, string? quarantineName, CancellationToken cancellationToken = default)
    {
        foreach (var sink in sinks) await sink.WriteAsync(record, quarantineName, cancellationToken).ConfigureAwait(false);
    }
}
