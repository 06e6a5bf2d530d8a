using System.Text.RegularExpressions;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Identifiers free text carries that the file itself does not name, by their shape: in running text (LT, ST, UT) a
/// person name written as DICOM writes one (<c>DOE^JANE</c>) — not in short descriptions, where Siemens writes its
/// region and protocol that way (<c>Head^Routine</c>, <c>abdomen^liver</c>) —, a name after a title (<c>Dr. Hartmann</c>, <c>Frau Kowalski</c>) or after a label
/// (<c>Name: …</c>, <c>referred by …</c>), e-mail addresses, telephone numbers, and ID-like numbers (six or more digits,
/// alone or behind a few letters, or after an ID label). What the text says around them stays. Titles that are also
/// imaging terms in capitals — MR, MS, DR — count only with a full stop ("MR BRAIN" stays; "MR. SMITH" goes).
/// </summary>
internal static partial class TextIdentifierPatterns
{
    private const string Removed = TextCleaner.Removed;
    private const int MinimumPhoneDigits = 8;

    /// <summary><paramref name="text"/> with each identifier found by shape replaced by [REMOVED].</summary>
    /// <param name="runningText">The value is LT, ST or UT: DOE^JANE forms are names there.</param>
    public static string Remove(string text, bool runningText) =>
        Identifiers().Replace(runningText ? PersonName().Replace(text, Removed) : text, Replace);

    private static string Replace(Match match)
    {
        if (match.Groups["phone"].Success && match.Value.Count(char.IsAsciiDigit) < MinimumPhoneDigits) return match.Value;
        var value = match.Groups["value"];
        return value.Success ? match.Value[..(value.Index - match.Index)] + Removed : Removed;
    }

    // One word of a name: a capital, then letters, apostrophes or hyphens; or an initial with its full stop.
    private const string NameWord = @"(?:\p{Lu}[\p{L}'’-]+|\p{Lu}\.)";
    private const string Name = NameWord + @"(?:[ ]" + NameWord + "){0,2}";

    /// <summary>DOE^JANE^Q: a person name in DICOM's component form.</summary>
    [GeneratedRegex(@"(?<![\p{L}\d])[\p{L}'’-]+(?:\^[\p{L}'’-]*){1,4}", RegexOptions.CultureInvariant)]
    private static partial Regex PersonName();

    [GeneratedRegex(
        // Title and name: with a full stop any title in any case; without one, only titles that are no imaging term.
        @"(?<title>(?<![\p{L}])(?:(?i:dr|drs|mr|mrs|ms|mx|miss|prof|sr|sra|mme|mlle|dott|dra|hr|fr)\.|Dr|Drs|Mrs|Mx|Miss|Prof|PROF|MRS|MISS|Herr|HERR|Frau|FRAU|Mme|Mlle|Dott|Dra)[ ]+(?<value>" + Name + "))"
        // A label that announces a name: with a colon, or a verb with "by".
        + @"|(?<label>(?<![\p{L}])(?:(?i:name|patient|pt|physician|ref(?:erring)?(?:[ ]?phys(?:ician)?)?|attending|technologist|operator)[ ]*[:=]|(?i:(?:referred|requested|reported|dictated|read|signed|seen)[ ]by))[ ]*(?<value>" + Name + "))"
        // A label that announces an ID or a date of birth, and the token after it.
        + @"|(?<idlabel>(?<![\p{L}])(?i:mrn|mr[ ]?no|mr\#|pid|ssn|nhs|dob|d\.o\.b\.|birth[ ]?date|acc(?:ession)?(?:[ ]?(?:no|nr|num(?:ber)?))?\.?|id|chart|case)[ ]*[:#=][ ]*(?<value>[^\s,;]+))"
        + @"|(?<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
        // Telephone numbers: behind a + or an area code in brackets, or digit groups joined by hyphens or full stops.
        + @"|(?<phone>(?<![\w.])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,8}(?:[ .-]\d{1,8}){0,4}|\(\d{2,5}\)[ ]?\d{2,8}(?:[ .-]\d{2,8}){0,3}|\d{2,8}(?:-\d{2,8}){1,4}|\d{2,8}(?:\.\d{2,8}){2,4})(?![\w.]))"
        // ID-like numbers: six or more digits, alone or behind up to four letters.
        + @"|(?<id>(?<![\w.])\p{L}{0,4}\d{6,}\p{L}{0,2}(?![\w.]))",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Identifiers();
}
