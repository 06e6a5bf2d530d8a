using System.Diagnostics.CodeAnalysis;
using System.Text;
using CloudAnon.Pixels;

namespace CloudAnon.Core.Profile;

/// <summary>
/// One de-identification option as users write it: a switch (<c>retain-uids</c>) or, when <see cref="Values"/> is not
/// empty, <c>name=value</c>. <see cref="Apply"/> sets it on the options; the value passed is one of <see cref="Values"/>
/// (as listed), or null for a switch.
/// </summary>
public sealed record ProfileOptionName(
    string Name, IReadOnlyList<string> Values, Func<DeidentificationOptions, string?, DeidentificationOptions> Apply)
{
    /// <summary>How the option is written in usage text: <c>retain-uids</c>, <c>name=a|b|c</c>.</summary>
    public string Usage => Values.Count == 0 ? Name : $"{Name}={string.Join('|', Values)}";

    /// <summary>The kebab-case name, or the same without hyphens in any case (the enum's <c>RetainUids</c>).</summary>
    internal bool Matches(string text) =>
        string.Equals(text, Name, StringComparison.OrdinalIgnoreCase)
        || (!text.Contains('-', StringComparison.Ordinal)
            && string.Equals(text, Name.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The one parser of option names, shared by the Functions setting <c>ProfileOptions</c> and the CLI's <c>--option</c>:
/// a comma list of <see cref="ProfileOptionName"/>s (the PS3.15 E.3 columns in kebab case, then CloudAnon's own options).
/// A new option is one entry in <see cref="All"/> and one property of <see cref="DeidentificationOptions"/>.
/// </summary>
public static class ProfileOptionNames
{
    public static IReadOnlyList<ProfileOptionName> All { get; } =
    [
        .. Enum.GetValues<ProfileOption>().Select(column => new ProfileOptionName(
            KebabCase(column.ToString()), [], (options, _) => options with { ProfileOptions = options.ProfileOptions | column.ToSet() })),
        new("clean-pixel-data", ["off", "on", "detect-only"], (options, value) => options with
        {
            CleanPixelData = value switch { "on" => CleanPixelDataMode.On, "detect-only" => CleanPixelDataMode.DetectOnly, _ => CleanPixelDataMode.Off },
        }),
        new("pixel-candidates", ["by-modality", "trust-explicit-no", "every-image"], (options, value) => options with
        {
            PixelCandidates = new CandidateRule { TrustExplicitNo = value == "trust-explicit-no", EveryImage = value == "every-image" },
        }),
        new("pixel-text", ["all", "identifying"], (options, value) => options with
        {
            PixelText = value == "identifying" ? PixelTextPolicy.Identifying : PixelTextPolicy.All,
        }),
        new("retain-unlisted-attributes", [], (options, _) => options with { RetainUnlistedAttributes = true }),
    ];

    /// <summary>Every option as it is written, for error messages and help.</summary>
    public static string Usage { get; } = string.Join(", ", All.Select(option => option.Usage));

    /// <summary>
    /// Applies a comma list of options (white space and empty entries ignored) on top of <paramref name="options"/>.
    /// False when an entry names no option, lacks a value, or has a value the option does not take.
    /// </summary>
    public static bool TryApply(DeidentificationOptions options, string? list, [NotNullWhen(true)] out DeidentificationOptions? applied)
    {
        ArgumentNullException.ThrowIfNull(options);
        applied = options;
        foreach (var entry in (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? entry : entry[..equals].TrimEnd();
            var value = equals < 0 ? null : entry[(equals + 1)..].TrimStart();
            var option = All.FirstOrDefault(candidate => candidate.Matches(name));
            var canonical = option?.Values.FirstOrDefault(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase));
            if (option is null || (option.Values.Count == 0 ? value is not null : canonical is null))
            {
                applied = null;
                return false;
            }

            applied = option.Apply(applied, canonical);
        }

        return true;
    }

    /// <summary>
    /// The options in effect, as they are written: each switch that is on, and each valued option with its value
    /// (the value whose <see cref="ProfileOptionName.Apply"/> leaves <paramref name="options"/> as it is).
    /// </summary>
    public static IReadOnlyList<string> Describe(DeidentificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var names = new List<string>();
        foreach (var option in All)
        {
            if (option.Values.Count == 0)
            {
                if (option.Apply(options, null) == options) names.Add(option.Name);
            }
            else if (option.Values.FirstOrDefault(value => option.Apply(options, value) == options) is { } value)
            {
                names.Add($"{option.Name}={value}");
            }
        }
        return names;
    }

    private static string KebabCase(string pascalCase)
    {
        var text = new StringBuilder(pascalCase.Length + 8);
        foreach (var c in pascalCase)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
