namespace CloudAnon.Generate;

/// <summary>
/// tools/CloudAnon.Generate/iod-type-overrides.tsv: attribute types of current PS3.3 editions where they differ from
/// the 2008 extract, one row per module and path ("C.8.8.1 TAB 00081070 TAB 2 TAB evidence"). A row replaces the type
/// of the module's attribute at that path, or adds the attribute where the extract's module lacks it.
/// </summary>
internal sealed class TypeOverrides
{
    private readonly Dictionary<string, List<Part3Tables.Attribute>> _byModule;
    private readonly HashSet<string> _applied = new(StringComparer.Ordinal);

    private TypeOverrides(Dictionary<string, List<Part3Tables.Attribute>> byModule, int count) => (_byModule, Count) = (byModule, count);

    public int Count { get; }

    public static TypeOverrides Read(string path)
    {
        var byModule = new Dictionary<string, List<Part3Tables.Attribute>>(StringComparer.Ordinal);
        int count = 0;
        foreach (string line in File.ReadLines(path).Where(l => l.Length > 0 && l[0] != '#'))
        {
            string[] cells = line.Split('\t');
            string[] tags = cells.Length == 4 ? cells[1].Split('>') : [];
            if (tags.Length == 0 || Part3Tables.Strength(cells[2]) < 0 || cells[3].Length == 0
                || tags.Any(tag => tag.Length != 8 || !tag.All(char.IsAsciiHexDigitLower)))
            {
                throw new InvalidDataException($"{path}: malformed row '{line}'");
            }
            var attribute = new Part3Tables.Attribute(tags[..^1], tags[^1], cells[2]);
            var rows = byModule.TryGetValue(cells[0], out var found) ? found : byModule[cells[0]] = [];
            if (rows.Any(r => r.Path == attribute.Path)) throw new InvalidDataException($"{path}: {cells[0]} {attribute.Path} twice");
            rows.Add(attribute);
            count++;
        }
        return new TypeOverrides(byModule, count);
    }

    /// <summary>The module with its overridden types, added attributes after its own (an added one nested in a sequence the module must list).</summary>
    public Part3Tables.Module Apply(Part3Tables.Module module)
    {
        if (!_byModule.TryGetValue(module.Ref, out var overrides)) return module;
        _applied.Add(module.Ref);
        var attributes = module.Attributes.ToList();
        foreach (var attribute in overrides)
        {
            int index = attributes.FindIndex(a => a.Path == attribute.Path);
            if (index >= 0) attributes[index] = attribute;
            else if (attribute.SequencePath.Count == 0 || attributes.Any(a => a.Path == string.Join('>', attribute.SequencePath))) attributes.Add(attribute);
            else throw new InvalidDataException($"override {module.Ref} {attribute.Path}: the module has no sequence {string.Join('>', attribute.SequencePath)}");
        }
        return module with { Attributes = attributes };
    }

    /// <summary>Every row names a module that a generated IOD has: a misspelled reference fails rather than being ignored.</summary>
    public void EnsureAllApplied()
    {
        var unused = _byModule.Keys.Where(module => !_applied.Contains(module)).ToList();
        if (unused.Count > 0) throw new InvalidDataException($"overrides for modules no IOD has: {string.Join(", ", unused)}");
    }
}
