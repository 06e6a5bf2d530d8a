namespace CloudAnon.Azure.Mapping;

/// <summary>Settings of a <see cref="TableMappingStore"/>.</summary>
public sealed class TableMappingStoreOptions
{
    /// <summary>The smallest accepted <see cref="HashKey"/> (<see cref="Core.Mapping.MappingKey"/> parses it from text).</summary>
    public const int MinHashKeyBytes = Core.Mapping.MappingKey.MinBytes;

    public const int DefaultMaxCacheEntries = 100_000;

    /// <summary>
    /// The secret HMAC-SHA256 key that turns originals into partition and row keys (from settings or Key Vault).
    /// Every writer of one table must use the same key; losing it makes the stored mappings unreachable.
    /// </summary>
    public required byte[] HashKey { get; init; }

    /// <summary>
    /// How many resolved mappings the process-local cache holds before it starts over (about 250 bytes each).
    /// 0 means <see cref="DefaultMaxCacheEntries"/>.
    /// </summary>
    public int MaxCacheEntries { get; init; }
}
