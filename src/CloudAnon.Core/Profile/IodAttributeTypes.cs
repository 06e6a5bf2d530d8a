using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Profile;

/// <summary>
/// Attribute types by IOD (PS3.3, edition 2008), loaded on first use from the embedded iod-attribute-types.tsv that
/// tools/CloudAnon.Generate writes from GDCM's PS3.3/PS3.4 extracts. Each storage SOP class the extract knows has
/// its IOD's modules; any other SOP class (newer than 2008, private, missing or empty) gets the common modules of
/// every composite IOD: Patient, General Study, Patient Study, General Series, General Equipment and SOP Common.
/// Thread-safe.
/// </summary>
/// <remarks>
/// The extract does not say which functional group macros an enhanced IOD uses, so the items of the Shared and
/// Per-frame Functional Groups Sequences have no attributes here; macros that include themselves (SR content trees)
/// are unrolled to <c>8</c> sequence levels.
/// </remarks>
public static class IodAttributeTypes
{
    private const string ResourceName = "CloudAnon.Core.Profile.iod-attribute-types.tsv";

    private static readonly Lazy<Catalog> Loaded = new(Load);

    /// <summary>
    /// The type of <paramref name="tag"/> in the IOD of <paramref name="sopClassUid"/>, within the items of the
    /// sequences <paramref name="sequencePath"/> (from the top; empty for the top level); null when the IOD has no such
    /// attribute there. Resolve the SOP class once per data set with <see cref="ForSopClass(string?)"/> when looking
    /// up many elements.
    /// </summary>
    public static AttributeType? TypeOf(string? sopClassUid, ReadOnlySpan<DicomTag> sequencePath, DicomTag tag) =>
        ForSopClass(sopClassUid).TypeOf(sequencePath, tag);

    /// <summary>
    /// The table of the IOD of <paramref name="sopClassUid"/> (trailing NUL or space padding ignored), or of the
    /// common modules when the extract has no IOD for it.
    /// </summary>
    public static IodAttributeTable ForSopClass(string? sopClassUid)
    {
        var catalog = Loaded.Value;
        return catalog.BySopClass.TryGetValue(sopClassUid.AsSpan().TrimEnd("\0 "), out var iod) ? iod.Value : catalog.CommonModules.Value;
    }

    /// <summary>The SOP class UIDs that have their own IOD in the table, for tests and documentation.</summary>
    public static IReadOnlyCollection<string> SopClassUids => Loaded.Value.BySopClass.Dictionary.Keys;

    private sealed record Catalog(
        Dictionary<string, Lazy<IodAttributeTable>>.AlternateLookup<ReadOnlySpan<char>> BySopClass,
        Lazy<IodAttributeTable> CommonModules);

    private static Catalog Load()
    {
        using var stream = typeof(IodAttributeTypes).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        string text = Encoding.UTF8.GetString(bytes);

        var modules = new Dictionary<string, IodModule>(StringComparer.Ordinal);
        var iods = new Dictionary<string, Lazy<IodAttributeTable>>(StringComparer.Ordinal);
        var bySopClass = new Dictionary<string, Lazy<IodAttributeTable>>(StringComparer.Ordinal);
        Lazy<IodAttributeTable>? commonModules = null;
        (string Ref, List<IodModuleRow> Rows)? module = null;
        int lineNumber = 0;
        Span<Range> fields = stackalloc Range[5];

        void EndModule()
        {
            if (module is var (moduleRef, rows)) modules.Add(moduleRef, new IodModule(moduleRef, [.. rows]));
            module = null;
        }

        foreach (var lineRange in text.AsSpan().Split('\n'))
        {
            lineNumber++;
            var line = text.AsSpan(lineRange);
            if (line.IsEmpty || line[0] == '#') continue;
            int count = line.Split(fields, '\t');
            var kind = line[fields[0]];
            if (kind.Length > 1 && count == 2 && module is { } current && TryParseRow(kind, line[fields[1]], out var row))
            {
                current.Rows.Add(row);
                continue;
            }
            EndModule();
            switch (kind.Length == 1 ? (kind[0], count) : default)
            {
                case ('m', 3):
                    module = (line[fields[1]].ToString(), []);
                    break;
                case ('i', 4):
                    var moduleRefs = line[fields[2]].ToString().Split(' ');
                    string name = line[fields[3]].ToString();
                    if (!moduleRefs.All(modules.ContainsKey)) throw MalformedLine(lineNumber);
                    iods.Add(line[fields[1]].ToString(), new(() => new IodAttributeTable(name, false, moduleRefs.Select(r => modules[r]))));
                    break;
                case ('s', 4):
                    if (!iods.TryGetValue(line[fields[2]].ToString(), out var iod)) throw MalformedLine(lineNumber);
                    bySopClass.Add(line[fields[1]].ToString(), iod);
                    break;
                case ('f', 2):
                    var commonRefs = line[fields[1]].ToString().Split(' ');
                    if (!commonRefs.All(modules.ContainsKey)) throw MalformedLine(lineNumber);
                    commonModules = new(() => new IodAttributeTable("common modules", true, commonRefs.Select(r => modules[r])));
                    break;
                default:
                    throw MalformedLine(lineNumber);
            }
        }
        EndModule();
        return new Catalog(
            bySopClass.GetAlternateLookup<ReadOnlySpan<char>>(),
            commonModules ?? throw new InvalidDataException($"Embedded resource {ResourceName} lists no common modules."));
    }

    /// <summary>"00081110>00081155" and "1C": sequence tags, the tag (repeating groups as 60xx), the type.</summary>
    private static bool TryParseRow(ReadOnlySpan<char> path, ReadOnlySpan<char> typeText, out IodModuleRow row)
    {
        row = null!;
        AttributeType? type = typeText switch
        {
            "1" => AttributeType.Type1,
            "1C" => AttributeType.Type1C,
            "2" => AttributeType.Type2,
            "2C" => AttributeType.Type2C,
            "3" => AttributeType.Type3,
            _ => null,
        };
        if (type is null || (path.Length + 1) % 9 != 0) return false;
        var tags = new uint[(path.Length + 1) / 9];
        for (int i = 0; i < tags.Length; i++)
        {
            if (i > 0 && path[i * 9 - 1] != '>') return false;
            if (!DicomTagPattern.TryParse(path.Slice(i * 9, 8), out var tag, out uint mask)) return false;
            // Only repeating groups (60xx, 50xx) have wildcards; their rows are stored as (6000,eeee).
            if (mask != DicomTagPattern.Exact && (mask != 0xFF00_FFFF || IodAttributeTable.RepeatingGroupBase(tag.Value) != tag.Value)) return false;
            tags[i] = tag.Value;
        }
        row = new IodModuleRow(tags[..^1], tags[^1], type.Value);
        return true;
    }

    private static InvalidDataException MalformedLine(int lineNumber) =>
        new($"Embedded resource {ResourceName}: line {lineNumber} is malformed.");
}
