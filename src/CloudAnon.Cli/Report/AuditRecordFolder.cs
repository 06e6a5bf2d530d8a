using System.Text.Json;
using CloudAnon.Core.Audit;

namespace CloudAnon.Cli.Report;

/// <summary>The records an <c>--audit DIR</c> run wrote: every <c>*.json</c> file of the folder, named by its file name without .json.</summary>
internal static class AuditRecordFolder
{
    /// <exception cref="CloudSetupException">A file is not a record, or a record of a newer schema than this CloudAnon reads: a report without it would mislead.</exception>
    public static async Task<List<NamedAuditRecord>> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var records = new List<NamedAuditRecord>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            AuditRecord record;
            try
            {
                record = AuditRecord.FromJson(await File.ReadAllBytesAsync(path, cancellationToken));
            }
            catch (JsonException)
            {
                throw new CloudSetupException($"{path}: not an audit record; nothing was written");
            }
            if (record.SchemaVersion > AuditRecord.CurrentSchemaVersion)
            {
                throw new CloudSetupException($"{path}: audit record schema {record.SchemaVersion} is newer than this cloudanon reads ({AuditRecord.CurrentSchemaVersion}); nothing was written");
            }
            records.Add(new NamedAuditRecord(name, record));
        }
        return records;
    }
}
