namespace CloudAnon.Network;

/// <summary>
/// The storage SOP classes the gateway accepts: the PS3.4 list (embedded storage-sop-classes.tsv, written by
/// scripts/generate-storage-sop-classes.py), and any class allocated later under the storage root 1.2.840.10008.5.1.4.1.1,
/// whose instances are stored as sent like every other. Private SOP classes are not accepted.
/// </summary>
public static class StorageSopClasses
{
    public const string Verification = "1.2.840.10008.1.1";
    private const string StorageRoot = "1.2.840.10008.5.1.4.1.1.";
    private const string ResourceName = "CloudAnon.Network.storage-sop-classes.tsv";

    private static readonly Lazy<IReadOnlyList<(string Uid, string Name, bool Retired)>> Listed = new(Load);
    private static readonly Lazy<HashSet<string>> ListedUids = new(() => [.. Listed.Value.Select(c => c.Uid)]);

    /// <summary>The listed classes, in UID order: the conformance statement's table.</summary>
    public static IReadOnlyList<(string Uid, string Name, bool Retired)> All => Listed.Value;

    public static bool IsStorage(string uid) =>
        ListedUids.Value.Contains(uid) || (uid.StartsWith(StorageRoot, StringComparison.Ordinal) && IsUid(uid));

    private static bool IsUid(string uid) => uid.Length <= 64 && uid.All(c => c is '.' or (>= '0' and <= '9')) && !uid.EndsWith('.');

    private static IReadOnlyList<(string, string, bool)> Load()
    {
        using var stream = typeof(StorageSopClasses).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        var classes = new List<(string, string, bool)>();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var columns = line.Split('\t');
            classes.Add((columns[0], columns[2], columns[1] == "R"));
        }

        return classes;
    }
}
