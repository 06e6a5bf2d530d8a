using Azure;
using Azure.Data.Tables;

namespace CloudAnon.Azure.Mapping;

/// <summary>
/// One stored mapping. Only keyed hashes name the original and its partition; <see cref="Value"/> is the de-identified
/// replacement (a new UID, a pseudonym or a date offset), so the row holds no plaintext PHI.
/// </summary>
internal sealed class MappingEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Value { get; set; } = "";

    public string Kind { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
