using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CloudAnon.Core.Engine;

/// <summary>
/// The "C" (clean) action for free text. UIDs written in the text become their replacements, as whole tokens (so a UID
/// that is a prefix of another cannot corrupt it). Dates in the common spellings are shifted by the patient's offset
/// under Modified Dates, kept under Full Dates, and removed otherwise; a date the profile removed (a birth date) is
/// always removed. Every identifying value this file holds (names and their components, IDs, accession numbers,
/// addresses) is cut out wherever it appears, in any letter case; parts of three or four characters only where no
/// letter touches them, and name parts of one or two letters only as whole words, so "Li" and "Out" go but "Liver" and
/// "Routine" stay. Names are also found in their other spellings (<see cref="NameSpellings"/>). Identifiers the file
/// does not name are cut by their shape (<see cref="TextIdentifierPatterns"/>), and names without a cue by the names
/// gazetteer (<see cref="NameGazetteer"/>).
/// </summary>
internal sealed partial class TextCleaner
{
    internal const string Removed = "[REMOVED]";
    internal const int MinimumWordLength = 3, MinimumSubstringLength = 5;

    private readonly IdentifyingText _identifying;
    private readonly Func<string, string> _uidReplacement;
    private readonly int? _dateOffsetDays;
    private readonly bool _keepDates;
    private readonly bool _useGazetteer;
    private (List<string> Substrings, Regex? Words, NameSpellings Names)? _identifiers;
    private HashSet<DateOnly>? _removedDates;

    /// <param name="identifying">The values the profile takes away: PN values' short components are cut as whole words, DA values in every spelling.</param>
    /// <param name="dateOffsetDays">The patient's offset under Modified Dates; null when dates are not shifted.</param>
    /// <param name="keepDates">Full Dates: dates in text stay, except those the profile takes away.</param>
    /// <param name="useGazetteer">Cut names without a cue (<see cref="NameGazetteer"/>); false to cut only what the file names and what has a cue.</param>
    public TextCleaner(IdentifyingText identifying, Func<string, string> uidReplacement, int? dateOffsetDays, bool keepDates, bool useGazetteer)
    {
        _identifying = identifying;
        _uidReplacement = uidReplacement;
        _dateOffsetDays = dateOffsetDays;
        _keepDates = keepDates;
        _useGazetteer = useGazetteer;
    }

    /// <param name="runningText">The value is LT, ST or UT (see <see cref="TextIdentifierPatterns"/>).</param>
    public string Clean(string text, bool runningText)
    {
        var result = new StringBuilder(text.Length);
        int done = 0;
        foreach (Match match in UidOrDate().Matches(text))
        {
            result.Append(RemoveIdentifiers(text[done..match.Index], runningText));
            result.Append(match.Groups["uid"].Success ? ReplaceUid(match.Value) : ReplaceDate(match));
            done = match.Index + match.Length;
        }
        result.Append(RemoveIdentifiers(text[done..], runningText));
        return result.ToString();
    }

    private string ReplaceUid(string uid) => UidGenerator.IsWellKnown(uid) ? uid : _uidReplacement(uid);

    private string ReplaceDate(Match match)
    {
        if (!TextDates.TryRead(match, out var date, out var format)) return match.Value; // not a calendar date: a number
        _removedDates ??= [.. _identifying.Dates.Select(d => DateOnly.TryParseExact(d.Trim(), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var r) ? r : default)];
        if (format is null || _removedDates.Contains(date)) return Removed; // ambiguous day and month, or a removed date
        if (_keepDates) return match.Value;
        return _dateOffsetDays is { } days ? date.AddDays(days).ToString(format, CultureInfo.InvariantCulture) : Removed;
    }

    private string RemoveIdentifiers(string text, bool runningText)
    {
        if (text.Length == 0) return text;
        text = TextIdentifierPatterns.Remove(text, runningText);
        var (substrings, words, names) = _identifiers ??= BuildIdentifiers();
        foreach (string identifier in substrings) text = text.Replace(identifier, Removed, StringComparison.OrdinalIgnoreCase);
        text = names.Cut(text);
        if (words is not null) text = words.Replace(text, Removed);
        return _useGazetteer ? NameGazetteer.Default.Cut(text) : text; // read at the first text to clean, not per file
    }

    // Made at the first text to clean: most files have none, and the tokens of every identifying value cost more than the rest of the plan.
    private (List<string>, Regex?, NameSpellings) BuildIdentifiers()
    {
        var nameTokens = _identifying.Names.SelectMany(Tokens).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var names = new NameSpellings(nameTokens.Where(t => t.Length >= MinimumWordLength || (t.Length >= 2 && t.Any(IsUnspacedScript))));
        var tokens = _identifying.Values.SelectMany(Tokens).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        // Japanese, Chinese and Korean text has no spaces around a name ("山田さん", "홍길동님"): there even two characters are cut as written.
        var substrings = tokens.Where(t => t.Length >= MinimumSubstringLength || (t.Length >= 2 && t.Any(IsUnspacedScript)))
            .OrderByDescending(t => t.Length).ToList(); // "Smith^John" before "Smith"
        // Tokens of three or four characters cut only where no letter touches them: "Out" and "Ann" go, "Routine" and "planning" stay.
        var shortTokens = tokens.Where(t => t.Length is >= MinimumWordLength and < MinimumSubstringLength && !t.Any(IsUnspacedScript))
            .Select(t => $@"(?<!\p{{L}}){Regex.Escape(t)}(?!\p{{L}})");
        // Short name parts: two letters as words in any case; an initial only as written, followed by a full stop.
        var shortParts = nameTokens.Where(t => t.Length < MinimumWordLength && t.All(char.IsLetter) && !t.Any(IsUnspacedScript)).ToList();
        var patterns = shortTokens.Concat(shortParts.Select(p => p.Length == 1 ? $@"(?-i)\b{Regex.Escape(p)}\." : $@"\b{Regex.Escape(p)}\b")).ToList();
        return (substrings, patterns.Count == 0 ? null : new Regex(string.Join('|', patterns), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), names);
    }

    /// <summary>Han ideographs, kana and Hangul syllables: scripts written without spaces between words.</summary>
    internal static bool IsUnspacedScript(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uAC00' and <= '\uD7AF');

    /// <summary>A value and its parts: PN components and groups, and words of addresses and multi-word names.</summary>
    private static IEnumerable<string> Tokens(string value)
    {
        string trimmed = value.Trim(' ', '\0');
        if (trimmed.Length == 0) yield break;
        yield return trimmed;
        foreach (string part in trimmed.Split(['^', '=', '\\', ' ', ',', '/', '.'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return part;
        }
        // A name in those scripts is written whole, family name first: 홍^길동 as 홍길동.
        foreach (string group in trimmed.Split('='))
        {
            if (group.Contains('^') && group.Any(IsUnspacedScript)) yield return group.Replace("^", "");
        }
    }

    /// <summary>A UID (four or more numeric components) or a date in one of the spellings <see cref="TextDates"/> reads, as whole tokens.</summary>
    [GeneratedRegex(@"(?<!\w|\d\.)(?:(?<uid>\d+(?:\.\d+){3,})|" + TextDates.Pattern + @")(?!\w|\.\d)", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex UidOrDate();
}
