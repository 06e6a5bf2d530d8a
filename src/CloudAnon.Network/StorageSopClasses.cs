using CloudAnon.Dicom;

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
        var classes = new List<(string, string, bool)>();
        foreach (var row in EmbeddedTable.Read(typeof(StorageSopClasses).Assembly, ResourceName).Rows())
        {
            var columns = row.Line.ToString().Split('\t');
            classes.Add((columns[0], columns[2], columns[1] == "R"));
        }

        return classes;
    }
}
