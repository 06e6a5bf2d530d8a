using Azure.Data.Tables;

namespace CloudAnon.Azure.Mapping;

/// <summary>
/// The shape of one stored mapping. Only keyed hashes name the original and its partition; <c>Value</c> is the
/// de-identified replacement (a new UID, a pseudonym or a date offset), so the row holds no plaintext PHI.
/// Rows are the SDK's dictionary-based <see cref="TableEntity"/>, not a POCO: the SDK maps POCOs by reflection, which
/// Native AOT builds of the CLI trim away (the transaction then fails with 400 InvalidInput).
/// </summary>
internal static class MappingEntity
{
    public const string Value = nameof(Value);
    public const string Kind = nameof(Kind);
    public const string CreatedAt = nameof(CreatedAt);

    /// <summary>The properties a lookup reads back.</summary>
    public static readonly string[] SelectedProperties = [nameof(TableEntity.RowKey), Value];

    public static TableEntity Create(EntityKey key, string value, string kind, DateTimeOffset createdAt) =>
        new(key.PartitionKey, key.RowKey)
        {
            [Value] = value,
            [Kind] = kind,
            [CreatedAt] = createdAt,
        };

    public static string ValueOf(TableEntity entity) =>
        entity.GetString(Value) ?? throw new InvalidOperationException("A mapping row has no Value property.");
}
