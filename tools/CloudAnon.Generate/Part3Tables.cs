using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CloudAnon.Generate;

/// <summary>
/// The module and macro tables of GDCM's PS3.3 extract (Part3.xml) and its IOD module tables. A table is a list of
/// rows: attribute entries and "Include 'X' Macro Table N" rows, each nested by its leading '>' marks.
/// </summary>
internal sealed partial class Part3Tables
{
    /// <summary>One attribute of a module with every macro expanded: the enclosing sequences from the top, the tag, the type.</summary>
    public sealed record Attribute(IReadOnlyList<string> SequencePath, string Tag, string Type)
    {
        /// <summary>"seq>seq>tag", the key of the generated file.</summary>
        public string Path => string.Join('>', [.. SequencePath, Tag]);
    }

    public sealed record Module(string Ref, string Name, IReadOnlyList<Attribute> Attributes);

    public sealed record Iod(string Table, string Name, IReadOnlyList<string> ModuleRefs);

    private abstract record Row(int Depth);
    private sealed record EntryRow(int Depth, string Tag, string Type) : Row(Depth);
    private sealed record IncludeRow(int Depth, string Text) : Row(Depth);
    private sealed record Table(string Id, string Name, bool IsMacro, IReadOnlyList<Row> Rows);

    /// <summary>
    /// Sequence nesting where a macro that includes itself within a sequence (SR content trees: Document Relationship
    /// Macro inside Content Sequence) stops being unrolled.
    /// </summary>
    public const int MaxRecursiveDepth = 8;

    private static readonly string[] Types = ["1", "1C", "2", "2C", "3"];

    private readonly Dictionary<string, Table> _tablesById;
    private readonly Dictionary<string, Table> _modulesByRef;
    private readonly Lazy<IReadOnlyList<Table>> _functionalGroupMacros;

    public string Edition { get; }

    /// <summary>How many functional group macros the items of the functional groups sequences get (see <see cref="FindFunctionalGroupMacros"/>).</summary>
    public int FunctionalGroupMacroCount => _functionalGroupMacros.Value.Count;
    public IReadOnlyList<Iod> Iods { get; }

    /// <summary>Include rows that name no table of the extract (functional group macros, "any other attribute of ..."), counted in the file's header.</summary>
    public SortedSet<string> UnexpandedIncludes { get; } = new(StringComparer.Ordinal);

    public Part3Tables(XDocument part3)
    {
        var root = part3.Root ?? throw new InvalidDataException("Part3.xml: no root element");
        Edition = Required(root, "edition");
        var tables = root.Elements().Where(e => e.Name == "module" || e.Name == "macro").ToList();
        _tablesById = tables.ToDictionary(t => Required(t, "table"), ReadTable, StringComparer.OrdinalIgnoreCase);
        _modulesByRef = tables.Where(t => t.Name == "module")
            .ToDictionary(t => Required(t, "ref"), t => _tablesById[Required(t, "table")], StringComparer.Ordinal);
        _functionalGroupMacros = new(FindFunctionalGroupMacros);
        Iods = [.. root.Elements("iod").Select(iod => new Iod(
            Required(iod, "table"),
            Required(iod, "name"),
            [.. iod.Elements("entry").Select(e => Required(e, "ref"))]))];
    }

    /// <summary>The module with its rows expanded, attributes in the table's order; one row per path, the strongest type.</summary>
    public Module ExpandModule(string moduleRef)
    {
        var table = _modulesByRef.TryGetValue(moduleRef, out var found)
            ? found
            : throw new InvalidDataException($"Part3.xml: no module {moduleRef}");
        var attributes = new List<Attribute>();
        Expand(table, depthOffset: 0, path: [], attributes, including: new() { [table.Id] = 0 });
        var strongest = new Dictionary<string, int>(StringComparer.Ordinal);
        var merged = new List<Attribute>();
        foreach (var attribute in attributes)
        {
            if (!strongest.TryGetValue(attribute.Path, out int index))
            {
                strongest.Add(attribute.Path, merged.Count);
                merged.Add(attribute);
            }
            else if (Strength(attribute.Type) < Strength(merged[index].Type))
            {
                merged[index] = attribute;
            }
        }
        return new Module(moduleRef, ModuleName(table.Name), merged);
    }

    /// <summary>
    /// The reference of the module with <paramref name="name"/> ("RT Series", "rt-series": letters and digits compared
    /// without case), the first in the extract's order where several share it; null when the extract has none.
    /// </summary>
    public string? ModuleRefByName(string name)
    {
        string key = NameKey(name);
        return _modulesByRef.FirstOrDefault(m => NameKey(ModuleName(m.Value.Name)) == key).Key;
    }

    private static string NameKey(string name) => string.Concat(name.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();

    /// <summary>0 for Type 1 up to 4 for Type 3: a lower number is the stronger type (1 &gt; 1C &gt; 2 &gt; 2C &gt; 3).</summary>
    public static int Strength(string type) => Array.IndexOf(Types, type);

    /// <param name="path">
    /// path[d] is the last entry seen at depth d: the sequence that rows at depth d + 1 belong to. An included macro
    /// leaves its last entries there, as rows after an include may be nested in the macro's last sequence (Table C.18.4-1).
    /// </param>
    /// <param name="including">The tables being expanded, with the depth each was included at.</param>
    private void Expand(Table table, int depthOffset, List<string> path, List<Attribute> output, Dictionary<string, int> including)
    {
        foreach (var row in table.Rows)
        {
            int depth = depthOffset + row.Depth;
            if (depth > path.Count)
            {
                throw new InvalidDataException($"Part3.xml table {table.Id}: a row nested {row.Depth} deep follows no sequence");
            }
            path.RemoveRange(depth, path.Count - depth);
            if (row is EntryRow entry)
            {
                output.Add(new Attribute([.. path], entry.Tag, entry.Type));
                path.Add(entry.Tag);
                continue;
            }
            var include = (IncludeRow)row;
            IReadOnlyList<Table> macros = include.Text.Contains("Functional Group Macros", StringComparison.Ordinal)
                ? _functionalGroupMacros.Value
                : IncludedTable(include) is { } named ? [named] : [];
            if (macros.Count == 0) UnexpandedIncludes.Add(include.Text);
            foreach (var macro in macros)
            {
                if (!including.TryGetValue(macro.Id, out int outerDepth))
                {
                    including.Add(macro.Id, depth);
                    Expand(macro, depth, path, output, including);
                    including.Remove(macro.Id);
                }
                else if (depth <= outerDepth)
                {
                    throw new InvalidDataException($"Part3.xml table {macro.Id} includes itself outside a sequence");
                }
                else if (depth < MaxRecursiveDepth)
                {
                    including[macro.Id] = depth;
                    Expand(macro, depth, path, output, including);
                    including[macro.Id] = outerDepth;
                }
                // Deeper, a recursive macro is unrolled no further.
            }
        }
    }

    /// <summary>
    /// The functional group macros: the macros of PS3.3 C.7.6.16 and C.8 that no table includes. The extract's IOD
    /// tables do not say which of them an enhanced IOD uses (its module reads "Include one or more Functional Group
    /// Macros"), so the items of the functional groups sequences get all of them.
    /// </summary>
    private IReadOnlyList<Table> FindFunctionalGroupMacros()
    {
        var included = _tablesById.Values.SelectMany(t => t.Rows.OfType<IncludeRow>())
            .Select(IncludedTable).OfType<Table>().Select(t => t.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. _tablesById.Values.Where(t => t.IsMacro && !included.Contains(t.Id)
            // "C.7.16-13" is the extract's number of C.7.6.16-13 (Contrast/Bolus Usage).
            && (t.Id.StartsWith("C.7.6.16-", StringComparison.Ordinal) || t.Id.StartsWith("C.7.16-", StringComparison.Ordinal)
                || t.Id.StartsWith("C.8", StringComparison.Ordinal)))];
    }

    private Table ReadTable(XElement table)
    {
        var rows = new List<Row>();
        foreach (var row in table.Elements())
        {
            if (row.Name == "entry")
            {
                // Normalized IODs' modules (C.2 to C.4, C.13, ...) give no type; no composite IOD uses them.
                string type = ((string?)row.Attribute("type") ?? "").Trim().ToUpperInvariant();
                if (Strength(type) < 0) continue;
                string tag = TsvOutput.TagPattern($"({Required(row, "group")},{Required(row, "element")})");
                rows.Add(new EntryRow(Depth(Required(row, "name")), tag, type));
            }
            else if (row.Name == "include")
            {
                string text = Required(row, "ref");
                rows.Add(new IncludeRow(Depth(text), Normalize(text)));
            }
        }
        return new Table(Required(table, "table"), Required(table, "name"), table.Name == "macro", rows);
    }

    /// <summary>The number of leading '>' marks, spaces between them ignored ("&gt;&gt; Include ...").</summary>
    private static int Depth(string name) => name.TakeWhile(c => c is '>' or ' ').Count(c => c == '>');

    /// <summary>
    /// The table an include row names: "Table 8.8-1", "(Table 10-10)", "Table C.17-5." (case and the trailing dot vary).
    /// Where the extract misspells the number ("Table 8.8.1", "Table C.8.82"), the table whose name has every word of
    /// the macro's name ("'Code Sequence Macro'") is taken, or among several the one whose name starts with it ("MR
    /// Image Description Macro", not "Common CT/MR Image Description Macro"). Null for rows that name no table, or a
    /// table the extract lacks ("Hierarchical Series Reference Macro").
    /// </summary>
    private Table? IncludedTable(IncludeRow include)
    {
        var match = TableReference().Match(include.Text);
        if (!match.Success) return null;
        if (_tablesById.TryGetValue(match.Groups["id"].Value.TrimEnd('.'), out var table)) return table;
        string[] macro = [.. Words(include.Text[..match.Index]).SkipWhile(word => word == "include")];
        var byWords = _tablesById.Values.Where(t => macro.All(Words(t.Name).Contains)).ToList();
        var byStart = byWords.Where(t => Words(t.Name).Take(macro.Length).SequenceEqual(macro)).ToList();
        return byWords.Count == 1 ? byWords[0] : byStart.Count == 1 ? byStart[0] : null;
    }

    private static string[] Words(string text) =>
        text.ToLowerInvariant().Split([' ', '>', '\'', '-', '/', '(', ')', ',', '“', '”', '‘', '’'], StringSplitOptions.RemoveEmptyEntries);

    private static string ModuleName(string tableName) =>
        ModuleSuffix().Replace(Normalize(tableName), "");

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Required(XElement element, string attribute) =>
        element.Attribute(attribute)?.Value ?? throw new InvalidDataException($"Part3.xml: <{element.Name}> without {attribute}");

    [GeneratedRegex(@"Table\s+(?<id>([A-Z]\.)?[0-9][0-9A-Za-z.\-]*)")]
    private static partial Regex TableReference();

    [GeneratedRegex(@"\s*(Module\s*)?(Attributes)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ModuleSuffix();
}
