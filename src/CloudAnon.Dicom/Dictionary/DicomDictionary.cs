namespace CloudAnon.Dicom;

/// <summary>
/// The PS3.6 data dictionary, loaded on first use from the embedded dictionary.tsv that tools/CloudAnon.Generate
/// writes from the standard. Lookups are thread-safe.
/// </summary>
/// <remarks>
/// The indexes are plain dictionaries, never written after loading: a CLI may start once per file, and building a
/// FrozenDictionary of 5,000 entries costs about 40 ms of JIT and analysis at first use, against about 5 ms.
/// </remarks>
public static class DicomDictionary
{
    private const string ResourceName = "CloudAnon.Dicom.Dictionary.dictionary.tsv";

    private static readonly Lazy<Tables> LoadedTables = new(Load);

    // Keyword lookups are rarer than VR lookups (readers of implicit-VR files), so that index is built separately.
    private static readonly Lazy<Dictionary<string, DicomTag>> KeywordIndex = new(() =>
    {
        var index = new Dictionary<string, DicomTag>(LoadedTables.Value.All.Length, StringComparer.Ordinal);
        foreach (var entry in LoadedTables.Value.All)
        {
            if (entry.Keyword.Length > 0) index.Add(entry.Keyword, entry.Tag);
        }
        return index;
    });

    /// <summary>Every entry, in tag order.</summary>
    public static IReadOnlyList<DicomDictionaryEntry> Entries => LoadedTables.Value.All;

    /// <summary>The entry for <paramref name="tag"/>: an exact entry first, then a repeating one such as (60xx,3000).</summary>
    public static bool TryGetEntry(DicomTag tag, out DicomDictionaryEntry entry)
    {
        var tables = LoadedTables.Value;
        if (tables.Exact.TryGetValue(tag.Value, out entry!)) return true;
        if (!tag.IsGroupLength && !tag.IsPrivate)
        {
            foreach (var repeating in tables.Repeating)
            {
                if (repeating.Matches(tag))
                {
                    entry = repeating;
                    return true;
                }
            }
        }
        entry = null!;
        return false;
    }

    /// <summary>
    /// The VR to use for <paramref name="tag"/> where the encoding does not say (implicit VR): the dictionary's first VR;
    /// UL for group lengths (gggg,0000); LO for private creators (gggg,0010-00FF); otherwise UN, also for items and
    /// delimiters, which have no VR.
    /// </summary>
    public static DicomVR GetVR(DicomTag tag)
    {
        if (tag.IsGroupLength) return DicomVR.UL;
        if (tag.IsPrivateCreator) return DicomVR.LO;
        return TryGetEntry(tag, out var entry) && entry.HasVR ? entry.VR : DicomVR.UN;
    }

    /// <summary>The tag of a keyword such as "PatientName"; for repeating attributes the pattern's first tag, as (6000,3000).</summary>
    public static bool TryGetTag(string keyword, out DicomTag tag) => KeywordIndex.Value.TryGetValue(keyword, out tag);

    private sealed record Tables(
        DicomDictionaryEntry[] All, Dictionary<uint, DicomDictionaryEntry> Exact, DicomDictionaryEntry[] Repeating);

    private static Tables Load()
    {
        var table = EmbeddedTable.Read(typeof(DicomDictionary).Assembly, ResourceName);
        var all = new List<DicomDictionaryEntry>(5200);
        var vms = new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        Span<Range> fields = stackalloc Range[6];
        foreach (var row in table.Rows())
        {
            var line = row.Line;
            if (line.Split(fields, '\t') != 5
                || !DicomTagPattern.TryParse(line[fields[0]], out var tag, out uint mask)
                || !TryParseVRs(line[fields[1]], out var vr, out var alternatives)
                || line[fields[3]] is not ("R" or "-"))
            {
                throw table.Malformed(row.LineNumber);
            }
            all.Add(new DicomDictionaryEntry(
                tag, mask, Cell(line[fields[4]]).ToString(), vr, alternatives, Intern(vms, Cell(line[fields[2]])),
                Retired: line[fields[3]] is "R"));
        }

        var exact = new Dictionary<uint, DicomDictionaryEntry>(all.Count);
        var repeating = new List<DicomDictionaryEntry>();
        foreach (var entry in all)
        {
            if (entry.IsRepeating) repeating.Add(entry);
            else exact.Add(entry.Tag.Value, entry);
        }
        // Most specific patterns first, so that a narrower pattern wins over a wider one.
        repeating.Sort((a, b) => a.Mask == b.Mask ? a.Tag.CompareTo(b.Tag) : uint.PopCount(b.Mask).CompareTo(uint.PopCount(a.Mask)));
        return new Tables([.. all], exact, [.. repeating]);
    }

    /// <summary>"-" marks a blank cell in the generated file.</summary>
    private static ReadOnlySpan<char> Cell(ReadOnlySpan<char> field) => field is "-" ? [] : field;

    private static string Intern(Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> strings, ReadOnlySpan<char> text)
    {
        if (!strings.TryGetValue(text, out string? value))
        {
            value = text.ToString();
            strings[text] = value;
        }
        return value;
    }

    private static readonly DicomVR[] NoAlternatives = [];

    /// <summary>"US/SS/OW" → US with alternatives SS and OW; "-" → no VR.</summary>
    private static bool TryParseVRs(ReadOnlySpan<char> field, out DicomVR first, out DicomVR[] alternatives)
    {
        first = default;
        alternatives = NoAlternatives;
        if (field is "-") return true;

        Span<Range> codes = stackalloc Range[4]; // the standard allows at most three; a fourth range fails to parse
        int count = field.Split(codes, '/');
        var vrs = new DicomVR[count];
        for (int i = 0; i < count; i++)
        {
            if (!DicomVR.TryParse(field[codes[i]], out vrs[i])) return false;
        }
        first = vrs[0];
        alternatives = count == 1 ? NoAlternatives : vrs[1..];
        return true;
    }
}
