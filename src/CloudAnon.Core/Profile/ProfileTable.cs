using System.Collections.ObjectModel;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Profile;

/// <summary>
/// A row of PS3.15 Table E.1-1. Pattern rows (curves 50xx, overlays 60xx, private attributes) have the wildcard
/// nibbles of <see cref="Tag"/> zero and clear in <see cref="Mask"/>; the private-attributes row is (0001,0000) with
/// mask 00010000, i.e. any odd group, matching private tags only (see <see cref="DicomTagPattern.Matches"/>).
/// <see cref="Options"/> holds the non-blank option cells.
/// </summary>
public sealed record ProfileRow(
    DicomTag Tag, uint Mask, string Name, ProfileAction Basic, IReadOnlyDictionary<ProfileOption, ProfileAction> Options,
    bool InStandardCompositeIod)
{
    public bool IsPattern => Mask != DicomTagPattern.Exact;

    public bool Matches(DicomTag tag) => DicomTagPattern.Matches(tag, Tag, Mask);

    /// <summary>
    /// The action when <paramref name="options"/> apply (PS3.15 E.3). An option's cell replaces the Basic Profile action.
    /// When several applied options have cells for this row, the one that retains most wins: K over C over any other
    /// code, except that Modified Dates always shifts the dates it names; with none, the Basic Profile action stands.
    /// </summary>
    public ProfileAction Resolve(ProfileOptions options)
    {
        // Shifting dates is the point of Modified Dates: its C is not overruled by another option's K
        // (device calibration dates are K under Retain Device Identity), or the real date would stay.
        if (options.Contains(ProfileOption.RetainLongitudinalModifiedDates)
            && Options.TryGetValue(ProfileOption.RetainLongitudinalModifiedDates, out var shifted))
        {
            return shifted;
        }
        var result = Basic;
        int bestRank = -1;
        foreach (var (option, action) in Options)
        {
            int rank = action.Has(ProfileActionCodes.Keep) ? 2 : action.Has(ProfileActionCodes.Clean) ? 1 : 0;
            if (options.Contains(option) && rank > bestRank)
            {
                (result, bestRank) = (action, rank);
            }
        }
        return result;
    }
}

/// <summary>
/// PS3.15 Table E.1-1, loaded from the embedded confidentiality-profile.tsv that tools/CloudAnon.Generate writes from
/// the standard.
/// </summary>
public sealed class ProfileTable
{
    private const string ResourceName = "CloudAnon.Core.Profile.confidentiality-profile.tsv";
    private const string PrivateAttributesPattern = "ggggeeee";
    private const int OptionCount = (int)ProfileOption.CleanGraphics + 1;

    private static readonly Lazy<ProfileTable> LoadedTable = new(Load);

    // Not a FrozenDictionary: building one costs more at first use than a CLI run per file should pay.
    private readonly Dictionary<uint, ProfileRow> _exact;
    private readonly ProfileRow[] _patterns;

    private ProfileTable(IReadOnlyList<ProfileRow> rows, string edition)
    {
        Rows = rows;
        Edition = edition;
        _exact = rows.Where(r => !r.IsPattern).ToDictionary(r => r.Tag.Value);
        _patterns = [.. rows.Where(r => r.IsPattern)];
    }

    /// <summary>The table of the standard edition the project embeds (2024b).</summary>
    public static ProfileTable Current => LoadedTable.Value;

    /// <summary>The edition of the standard the table was generated from (such as 2024b), as its header names it.</summary>
    public string Edition { get; }

    /// <summary>The rows in the standard's order (by attribute name).</summary>
    public IReadOnlyList<ProfileRow> Rows { get; }

    /// <summary>The row for <paramref name="tag"/>: the exact row first, then a pattern row (private tags: the private-attributes row).</summary>
    public bool TryGetRow(DicomTag tag, out ProfileRow row)
    {
        if (_exact.TryGetValue(tag.Value, out row!)) return true;
        row = Array.Find(_patterns, p => p.Matches(tag))!;
        return row is not null;
    }

    /// <summary>
    /// The action for <paramref name="tag"/> under <paramref name="options"/> (see <see cref="ProfileRow.Resolve"/>);
    /// <see cref="ProfileAction.None"/> when the table has no row for the tag, which leaves the choice to the caller.
    /// </summary>
    /// <exception cref="ArgumentException">Both longitudinal temporal options: E.3.6 offers them as alternatives.</exception>
    public ProfileAction Resolve(DicomTag tag, ProfileOptions options)
    {
        EnsureCompatible(options);
        return TryGetRow(tag, out var row) ? row.Resolve(options) : ProfileAction.None;
    }

    /// <exception cref="ArgumentException">Both longitudinal temporal options: E.3.6 offers them as alternatives.</exception>
    public static void EnsureCompatible(ProfileOptions options)
    {
        const ProfileOptions bothDateOptions = ProfileOptions.RetainLongitudinalFullDates | ProfileOptions.RetainLongitudinalModifiedDates;
        if ((options & bothDateOptions) == bothDateOptions)
        {
            throw new ArgumentException("Retain Longitudinal Temporal Information with Full Dates and with Modified Dates exclude each other.", nameof(options));
        }
    }

    private static ProfileTable Load()
    {
        var table = EmbeddedTable.Read(typeof(ProfileTable).Assembly, ResourceName);
        var rows = new List<ProfileRow>(640);
        Span<Range> fields = stackalloc Range[OptionCount + 5];
        foreach (var row in table.Rows())
        {
            var line = row.Line;
            // tag, in std comp IOD, basic, the option columns, name
            if (line.Split(fields, '\t') != OptionCount + 4
                || !TryParsePattern(line[fields[0]], out var tag, out uint mask)
                || line[fields[1]] is not ("Y" or "N")
                || !ProfileAction.TryParse(line[fields[2]], out var basic) || basic.IsNone)
            {
                throw table.Malformed(row.LineNumber);
            }
            var options = new Dictionary<ProfileOption, ProfileAction>(capacity: 0);
            for (int i = 0; i < OptionCount; i++)
            {
                var cell = line[fields[3 + i]];
                if (cell is "-") continue;
                if (!ProfileAction.TryParse(cell, out var action) || action.IsNone) throw table.Malformed(row.LineNumber);
                options.Add((ProfileOption)i, action);
            }
            rows.Add(new ProfileRow(tag, mask, line[fields[OptionCount + 3]].ToString(), basic,
                options.Count == 0 ? ReadOnlyDictionary<ProfileOption, ProfileAction>.Empty : options.AsReadOnly(),
                InStandardCompositeIod: line[fields[1]] is "Y"));
        }
        return new ProfileTable(rows, EditionOf(table.Text));
    }

    /// <summary>The edition in the header's first line, "# DICOM PS3.15 Table E.1-1 (2024b), generated …".</summary>
    private static string EditionOf(string text)
    {
        const string Marker = "Table E.1-1 (";
        int start = text.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        int end = start >= Marker.Length ? text.IndexOf(')', start) : -1;
        return end > start ? text[start..end] : throw new InvalidOperationException($"Embedded resource {ResourceName} does not name its edition.");
    }

    private static bool TryParsePattern(ReadOnlySpan<char> text, out DicomTag tag, out uint mask)
    {
        if (text is PrivateAttributesPattern)
        {
            // Any odd group: DicomTagPattern.Matches then admits private tags only.
            (tag, mask) = (new DicomTag(0x0001, 0x0000), 0x0001_0000u);
            return true;
        }
        return DicomTagPattern.TryParse(text, out tag, out mask);
    }
}
