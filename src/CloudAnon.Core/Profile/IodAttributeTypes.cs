using CloudAnon.Dicom;

namespace CloudAnon.Core.Profile;

/// <summary>
/// Attribute types by IOD, loaded on first use from the embedded iod-attribute-types.tsv that tools/CloudAnon.Generate
/// writes: each storage SOP class of PS3.4 edition 2026b has its IOD's modules of PS3.3 2026b (highdicom's maps), the
/// modules' attributes and types are those of PS3.3 2008 (GDCM's extract, the complete table at hand) with the reviewed
/// overrides of current editions; a current module that neither has leaves its IOD with untyped modules
/// (<see cref="IodAttributeTable.HasUntypedModules"/>). Any other SOP class (private, missing or empty) gets the common
/// modules of every composite IOD: Patient, General Study, Patient Study, General Series, General Equipment and SOP
/// Common. Thread-safe.
/// </summary>
/// <remarks>
/// The extract does not say which functional group macros an enhanced IOD uses, so the items of the Shared and
/// Per-frame Functional Groups Sequences have those of every modality (an MR macro is typed in a CT too). Macros that
/// include themselves (SR content trees) are unrolled to 8 sequence levels; deeper, attributes have no type.
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
    /// common modules when the table has no IOD for it.
    /// </summary>
    public static IodAttributeTable ForSopClass(string? sopClassUid)
    {
        // Callers ask with the same string for every element of a data set: the last answer is kept. Threads racing
        // on it cost each other a dictionary lookup at most: the answer is immutable and replaced whole.
        if (s_lastAnswer is { } last && ReferenceEquals(last.SopClassUid, sopClassUid)) return last.Table;
        var catalog = Loaded.Value;
        var table = catalog.BySopClass.TryGetValue(sopClassUid.AsSpan().TrimEnd("\0 "), out var iod) ? iod.Value : catalog.CommonModules.Value;
        s_lastAnswer = new Answer(sopClassUid, table);
        return table;
    }

    /// <summary>The SOP class UIDs that have their own IOD in the table, for tests and documentation.</summary>
    public static IReadOnlyCollection<string> SopClassUids => Loaded.Value.BySopClass.Dictionary.Keys;

    private sealed record Answer(string? SopClassUid, IodAttributeTable Table);

    private static Answer? s_lastAnswer;

    private sealed record Catalog(
        Dictionary<string, Lazy<IodAttributeTable>>.AlternateLookup<ReadOnlySpan<char>> BySopClass,
        Lazy<IodAttributeTable> CommonModules);

    /// <summary>
    /// Reads the index lines (modules, IODs, SOP classes, common modules); a module's rows are parsed when the first
    /// IOD that has the module is asked for.
    /// </summary>
    private static Catalog Load()
    {
        var table = EmbeddedTable.Read(typeof(IodAttributeTypes).Assembly, ResourceName);
        var text = table.Text.AsMemory();

        var modules = new Dictionary<string, ReadOnlyMemory<char>>(StringComparer.Ordinal);
        var iods = new Dictionary<string, Lazy<IodAttributeTable>>(StringComparer.Ordinal);
        var bySopClass = new Dictionary<string, Lazy<IodAttributeTable>>(StringComparer.Ordinal);
        Lazy<IodAttributeTable>? commonModules = null;
        (string Ref, int Start)? module = null;
        var fields = new Range[6]; // not stackalloc: a method with one is compiled fully optimized at once, costly at first use

        IEnumerable<(string, ReadOnlyMemory<char>)> Modules(string[] refs) => refs.Select(r => (r, modules[r]));

        foreach (var row in table.Rows())
        {
            var line = row.Line;
            int lineNumber = row.LineNumber;
            // Module rows ("00100010<TAB>2") are left for the IOD tables; index lines start with one letter and a tab.
            if (line.Length < 2 || line[1] != '\t') continue;
            if (module is var (moduleRef, start)) modules.Add(moduleRef, text[start..row.Range.Start.Value]);
            module = null;
            switch ((line[0], line.Split(fields, '\t')))
            {
                case ('m', 3):
                    module = (line[fields[1]].ToString(), row.Range.End.Value + 1);
                    break;
                case ('i', 5):
                    var moduleRefs = line[fields[2]].ToString().Split(' ');
                    string name = line[fields[3]].ToString();
                    bool untyped = line[fields[4]] switch { "untyped" => true, "typed" => false, _ => throw table.Malformed(lineNumber) };
                    if (!moduleRefs.All(modules.ContainsKey)) throw table.Malformed(lineNumber);
                    iods.Add(line[fields[1]].ToString(), new(() => new IodAttributeTable(name, untyped, Modules(moduleRefs))));
                    break;
                case ('s', 3):
                    if (!iods.TryGetValue(line[fields[2]].ToString(), out var iod)) throw table.Malformed(lineNumber);
                    bySopClass.Add(line[fields[1]].ToString(), iod);
                    break;
                case ('f', 2):
                    var commonRefs = line[fields[1]].ToString().Split(' ');
                    if (!commonRefs.All(modules.ContainsKey)) throw table.Malformed(lineNumber);
                    commonModules = new(() => new IodAttributeTable("common modules", true, Modules(commonRefs)));
                    break;
                default:
                    throw table.Malformed(lineNumber);
            }
        }
        return new Catalog(
            bySopClass.GetAlternateLookup<ReadOnlySpan<char>>(),
            commonModules ?? throw new InvalidDataException($"Embedded resource {ResourceName} lists no common modules."));
    }
}
