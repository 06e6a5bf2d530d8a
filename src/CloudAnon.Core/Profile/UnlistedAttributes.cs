using CloudAnon.Dicom;

namespace CloudAnon.Core.Profile;

/// <summary>One dictionary attribute PS3.15 Table E.1-1 has no row for: kept, or removed by the rule for unlisted attributes, and why.</summary>
public sealed record UnlistedAttribute(DicomTag Tag, uint Mask, string Keyword, bool Keep, string Reason);

/// <summary>
/// The allow-list over the dictionary, loaded from the embedded unlisted-attributes.tsv that tools/CloudAnon.Generate
/// writes from the dictionary, Table E.1-1 and a hand review: every standard attribute the table does not name, with
/// its decision. An attribute whose value cannot identify anyone by its VR and meaning (a number, a coded term, a
/// well-known UID, a sequence whose items are decided element by element) is kept; one that can (names, free text,
/// dates, times, URLs, AE titles, instance UIDs) is removed unless the review keeps it for a stated reason.
/// </summary>
public sealed class UnlistedAttributes
{
    private const string ResourceName = "CloudAnon.Core.Profile.unlisted-attributes.tsv";
    private static readonly Lazy<UnlistedAttributes> Loaded = new(Load);

    private readonly Dictionary<(uint Tag, uint Mask), UnlistedAttribute> _byPattern;

    private UnlistedAttributes(IReadOnlyList<UnlistedAttribute> entries)
    {
        Entries = entries;
        _byPattern = entries.ToDictionary(e => (e.Tag.Value, e.Mask));
    }

    public static UnlistedAttributes Current => Loaded.Value;

    /// <summary>Every entry, in the dictionary's order.</summary>
    public IReadOnlyList<UnlistedAttribute> Entries { get; }

    /// <summary>The entry of the dictionary attribute <paramref name="attribute"/> (a repeating one by its pattern).</summary>
    public bool TryGet(DicomDictionaryEntry attribute, out UnlistedAttribute entry) =>
        _byPattern.TryGetValue((attribute.Tag.Value, attribute.Mask), out entry!);

    /// <summary>Whether the allow-list keeps <paramref name="attribute"/>; false for an attribute it does not list (a table row decides those).</summary>
    public bool Keeps(DicomDictionaryEntry attribute) => TryGet(attribute, out var entry) && entry.Keep;

    private static UnlistedAttributes Load()
    {
        var table = EmbeddedTable.Read(typeof(UnlistedAttributes).Assembly, ResourceName);
        var entries = new List<UnlistedAttribute>(4600);
        Span<Range> fields = stackalloc Range[5];
        foreach (var row in table.Rows())
        {
            var line = row.Line;
            // tag, keyword, decision, reason
            if (line.Split(fields, '\t') != 4 || !DicomTagPattern.TryParse(line[fields[0]], out var tag, out uint mask)
                || line[fields[2]] is not ("keep" or "remove") || line[fields[3]].IsEmpty)
            {
                throw table.Malformed(row.LineNumber);
            }
            entries.Add(new UnlistedAttribute(tag, mask, line[fields[1]].ToString(), line[fields[2]] is "keep", line[fields[3]].ToString()));
        }
        return new UnlistedAttributes(entries);
    }
}
