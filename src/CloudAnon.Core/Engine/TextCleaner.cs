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

    private readonly List<string> _identifiers;
    private readonly IReadOnlyDictionary<string, string> _uidReplacements;

    public TextCleaner(IEnumerable<string> identifyingValues, IReadOnlyDictionary<string, string> uidReplacements)
    {
        // Longest first, so "Smith^John" goes before "Smith".
        _identifiers = identifyingValues
            .SelectMany(Tokens)
            .Where(t => t.Length >= MinimumTokenLength)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(t => t.Length)
            .ToList();
        _uidReplacements = uidReplacements;
    }

    public string Clean(string text)
    {
        var result = new StringBuilder(text);
        foreach (var (original, replacement) in _uidReplacements) result.Replace(original, replacement);
        string cleaned = result.ToString();
        foreach (string identifier in _identifiers)
        {
            cleaned = cleaned.Replace(identifier, Removed, StringComparison.OrdinalIgnoreCase);
        }
        return cleaned;
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
