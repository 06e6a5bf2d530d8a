using System.Globalization;
using System.Text;

namespace CloudAnon.Core.Engine;

/// <summary>
/// The "C" (clean) action for free text: every identifying value this file holds (names and their components, IDs,
/// accession numbers, dates, addresses) is cut out of the text wherever it appears, in any letter case; original UIDs
/// become their replacements, so references written in text stay consistent.
/// </summary>
internal sealed class TextCleaner
{
    private const int MinimumTokenLength = 3;
    private const string Removed = "[REMOVED]";

    private readonly IReadOnlyList<string> _identifyingValues;
    private readonly IReadOnlyList<string> _identifyingDates;
    private readonly IReadOnlyDictionary<string, string> _uidReplacements;
    private List<string>? _identifiers;

    /// <param name="identifyingDates">DA values, also cut out as free text writes dates.</param>
    public TextCleaner(IReadOnlyList<string> identifyingValues, IReadOnlyList<string> identifyingDates, IReadOnlyDictionary<string, string> uidReplacements)
    {
        _identifyingValues = identifyingValues;
        _identifyingDates = identifyingDates;
        _uidReplacements = uidReplacements;
    }

    // Made at the first text to clean: most files have none, and the tokens of every identifying value cost more than the rest of the plan.
    private List<string> Identifiers => _identifiers ??= _identifyingValues
        .Concat(_identifyingDates.SelectMany(DateSpellings))
        .SelectMany(Tokens)
        .Where(t => t.Length >= MinimumTokenLength)
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .OrderByDescending(t => t.Length) // longest first, so "Smith^John" goes before "Smith"
        .ToList();

    public string Clean(string text)
    {
        var result = new StringBuilder(text);
        foreach (var (original, replacement) in _uidReplacements) result.Replace(original, replacement);
        string cleaned = result.ToString();
        foreach (string identifier in Identifiers)
        {
            cleaned = cleaned.Replace(identifier, Removed, StringComparison.OrdinalIgnoreCase);
        }
        return cleaned;
    }

    /// <summary>A DA value as it is, and the other ways a date is written in free text.</summary>
    private static IEnumerable<string> DateSpellings(string date)
    {
        yield return date;
        if (!DateOnly.TryParseExact(date.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) yield break;
        foreach (string format in new[] { "yyyy-MM-dd", "yyyy.MM.dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd.MM.yyyy" })
        {
            yield return d.ToString(format, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A value and its parts: PN components and groups, and words of addresses and multi-word names.</summary>
    private static IEnumerable<string> Tokens(string value)
    {
        string trimmed = value.Trim(' ', '\0');
        if (trimmed.Length == 0) yield break;
        yield return trimmed;
        foreach (string part in trimmed.Split(['^', '=', '\\', ' ', ',', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return part;
        }
    }
}
