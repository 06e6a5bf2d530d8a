using System.Text.Json;

namespace CloudAnon.Generate;

/// <summary>
/// The modules of each IOD and the IOD of each storage SOP class in a current edition of PS3.3/PS3.4, from highdicom's
/// generated maps (src/highdicom/_standard/iod_module_map.json and sop_class_iod_map.json, MIT licence): IODs and
/// modules are named by keys such as "rt-structure-set" and "rt-series".
/// </summary>
internal sealed class CurrentIodModules
{
    public required string Edition { get; init; }

    /// <summary>IOD key → its module keys, in the standard's order (mandatory, conditional and user-optional alike).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Iods { get; init; }

    /// <summary>SOP class UID → IOD key.</summary>
    public required IReadOnlyDictionary<string, string> SopClasses { get; init; }

    /// <param name="directory">A directory with iod_module_map.json, sop_class_iod_map.json and README.md, whose "last generated using version X" names the edition.</param>
    public static CurrentIodModules Read(string directory)
    {
        var iods = Parse<Dictionary<string, List<ModuleUsage>>>(directory, "iod_module_map.json");
        var sopClasses = Parse<Dictionary<string, string>>(directory, "sop_class_iod_map.json");
        if (sopClasses.Values.FirstOrDefault(iod => !iods.ContainsKey(iod)) is { } unknown)
        {
            throw new InvalidDataException($"sop_class_iod_map.json: IOD {unknown} is not in iod_module_map.json");
        }
        string readme = File.ReadAllText(Path.Combine(directory, "README.md"));
        const string marker = "last generated using version ";
        int at = readme.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException($"{directory}/README.md does not name the edition");
        return new CurrentIodModules
        {
            Edition = new string([.. readme[(at + marker.Length)..].TakeWhile(char.IsAsciiLetterOrDigit)]),
            Iods = iods.ToDictionary(iod => iod.Key, iod => (IReadOnlyList<string>)[.. iod.Value.Select(m => m.Key).Distinct()], StringComparer.Ordinal),
            SopClasses = sopClasses,
        };
    }

    private sealed record ModuleUsage(string Key);

    private static T Parse<T>(string directory, string file) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(Path.Combine(directory, file)), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
        ?? throw new InvalidDataException($"{file}: empty");
}
