namespace CloudAnon.Generate;

/// <summary>
/// tools/CloudAnon.Generate/iod-type-overrides.tsv, reviewed by hand: rows "module TAB path TAB type TAB evidence".
/// A module named by its extract reference ("C.8.8.1") gets the row's type at that path, replacing the extract's or
/// adding an attribute the extract's module lacks. A module named by its current key ("general-reference"), one the
/// 2008 extract does not have, is made of its rows; a row with path and type "-" declares such a module reviewed with
/// nothing to type (its evidence says why).
/// </summary>
internal sealed class TypeOverrides
{
    private readonly Dictionary<string, List<Part3Tables.Attribute>> _byModule;
    private readonly HashSet<string> _applied = new(StringComparer.Ordinal);

    private TypeOverrides(Dictionary<string, List<Part3Tables.Attribute>> byModule, int count) => (_byModule, Count) = (byModule, count);

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    public static TypeOverrides Read(string path)
    {
        var byModule = new Dictionary<string, List<Part3Tables.Attribute>>(StringComparer.Ordinal);
        int count = 0;
        foreach (string line in File.ReadLines(path).Where(l => l.Length > 0 && l[0] != '#'))
        {
            string[] cells = line.Split('\t');
            if (cells.Length != 4 || cells[3].Length == 0) throw Malformed(path, line);
            var rows = byModule.TryGetValue(cells[0], out var found) ? found : byModule[cells[0]] = [];
            count++;
            if (cells[1] == "-" && cells[2] == "-" && IsCurrentKey(cells[0])) continue;
            string[] tags = cells[1].Split('>');
            if (Part3Tables.Strength(cells[2]) < 0 || tags.Any(tag => tag.Length != 8 || !tag.All(char.IsAsciiHexDigitLower))) throw Malformed(path, line);
            var attribute = new Part3Tables.Attribute(tags[..^1], tags[^1], cells[2]);
            if (rows.Any(r => r.Path == attribute.Path)) throw new InvalidDataException($"{path}: {cells[0]} {attribute.Path} twice");
            rows.Add(attribute);
        }
        return new TypeOverrides(byModule, count);
    }

    /// <summary>Whether the overrides make the module of current key <paramref name="key"/>.</summary>
    public bool Defines(string key) => IsCurrentKey(key) && _byModule.ContainsKey(key);

    /// <summary>The module of a current key that the overrides make, or null for an extract reference.</summary>
    public Part3Tables.Module? NewModule(string moduleRef)
    {
        if (!Defines(moduleRef)) return null;
        _applied.Add(moduleRef);
        var attributes = _byModule[moduleRef];
        EnsureSequencesListed(moduleRef, attributes);
        return new Part3Tables.Module(moduleRef, moduleRef, attributes);
    }

    /// <summary>The extract's module with its overridden types, added attributes after its own.</summary>
    public Part3Tables.Module Apply(Part3Tables.Module module)
    {
        if (!_byModule.TryGetValue(module.Ref, out var overrides)) return module;
        _applied.Add(module.Ref);
        var attributes = module.Attributes.ToList();
        foreach (var attribute in overrides)
        {
            int index = attributes.FindIndex(a => a.Path == attribute.Path);
            if (index >= 0) attributes[index] = attribute;
            else attributes.Add(attribute);
        }
        EnsureSequencesListed(module.Ref, attributes);
        return module with { Attributes = attributes };
    }

    /// <summary>Every row names a module that a generated IOD has: a misspelled module fails rather than being ignored.</summary>
    public void EnsureAllApplied()
    {
        var unused = _byModule.Keys.Where(module => !_applied.Contains(module)).ToList();
        if (unused.Count > 0) throw new InvalidDataException($"overrides for modules no IOD has: {string.Join(", ", unused)}");
    }

    /// <summary>An attribute nested in a sequence comes after the sequence's own row, as the embedded table reads them in order.</summary>
    private static void EnsureSequencesListed(string moduleRef, List<Part3Tables.Attribute> attributes)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            if (attribute.SequencePath.Count > 0 && !seen.Contains(string.Join('>', attribute.SequencePath)))
            {
                throw new InvalidDataException($"override {moduleRef} {attribute.Path}: no row of its sequence before it");
            }
            seen.Add(attribute.Path);
        }
    }

    /// <summary>Current module keys are lower case words joined by hyphens; the extract's references start "C.".</summary>
    private static bool IsCurrentKey(string module) => module.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static InvalidDataException Malformed(string path, string line) => new($"{path}: malformed row '{line}'");
}
