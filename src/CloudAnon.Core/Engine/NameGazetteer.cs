using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Person names in free text that no cue announces, found by a list of known first names and surnames (Names/, made
/// by tools/names-gazetteer) and by their capitals. A run of capitalised words, one space apart, is cut whole when it
/// holds a known name and either has two words or more with a known first name or an initial ("Husband John Smith",
/// "outside study of Margaret Okonkwo", "J. Okafor"), or follows a word in lower case ("fell at Whitfield farm").
/// In text written in capitals, a known first name followed by a known name is cut ("HUSBAND JOHN SMITH"). The words
/// of Names/words-that-stay.txt and of DICOM's attribute keywords (Echo, Field, Range, Contrast, Series) are never
/// names and end a run: imaging words that the lists hold (Brain, Dixon, Chase), months, people by their role (Husband).
/// </summary>
internal sealed partial class NameGazetteer
{
    private const string ResourcePrefix = "CloudAnon.Core.Engine.Names.";
    private static readonly Lazy<NameGazetteer> Shared = new(() => new NameGazetteer(
        Words("first-names.txt"), Words("surnames.txt"), Words("words-that-stay.txt").Concat(KeywordWords())));

    // The longest word looked up; longer ones are no names. Keeps the folded copy on the stack.
    private const int MaximumNameLength = 64;

    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _firstNames;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _names;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _wordsThatStay;

    /// <summary>The gazetteer the engine embeds, read once.</summary>
    public static NameGazetteer Default => Shared.Value;

    /// <param name="firstNames">First names, folded (<see cref="LatinFolding"/>).</param>
    /// <param name="surnames">Surnames, folded.</param>
    /// <param name="wordsThatStay">Words that are never a name, folded.</param>
    public NameGazetteer(IEnumerable<string> firstNames, IEnumerable<string> surnames, IEnumerable<string> wordsThatStay)
    {
        var stay = wordsThatStay.ToFrozenSet(StringComparer.Ordinal);
        var first = firstNames.Where(n => !stay.Contains(n)).ToFrozenSet(StringComparer.Ordinal);
        _wordsThatStay = stay.GetAlternateLookup<ReadOnlySpan<char>>();
        _firstNames = first.GetAlternateLookup<ReadOnlySpan<char>>();
        _names = first.Concat(surnames).Where(n => !stay.Contains(n)).ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Cut(string text)
    {
        var words = WordsOf(text);
        StringBuilder? result = null;
        int done = 0;
        for (int i = 0; i < words.Count; i++)
        {
            int last = words[i].Shape == Shape.Capitals ? CapitalsNameEnd(text, words, i) : RunEnd(text, words, i);
            if (last < i) continue;
            if (words[i].Shape != Shape.Capitals && !IsNameRun(text, words, i, last))
            {
                i = last;
                continue;
            }
            result ??= new StringBuilder(text.Length);
            result.Append(text, done, words[i].Start - done).Append(TextCleaner.Removed);
            done = words[last].End;
            i = last;
        }
        return result is null ? text : result.Append(text, done, text.Length - done).ToString();
    }

    /// <summary>The last word of the run of capitalised words and initials that starts at <paramref name="first"/>; below it when none starts there.</summary>
    private int RunEnd(string text, List<Word> words, int first)
    {
        int last = first - 1;
        while (last + 1 < words.Count && words[last + 1].Shape is Shape.Capitalised or Shape.Initial && !Stays(text, words[last + 1])
            && (last < first || OneSpaceApart(text, words[last], words[last + 1])))
        {
            last++;
        }
        return last;
    }

    private bool IsNameRun(string text, List<Word> words, int first, int last)
    {
        var run = words.GetRange(first, last - first + 1);
        if (!run.Any(w => w.Shape == Shape.Capitalised && IsName(text, w, _names))) return false;
        if (run.Count >= 2 && run.Any(w => w.Shape == Shape.Initial || IsName(text, w, _firstNames))) return true;
        return first > 0 && char.IsLower(text[words[first - 1].Start]) && text.AsSpan(words[first - 1].End, words[first].Start - words[first - 1].End).Trim(' ').IsEmpty;
    }

    /// <summary>In capitals: the last word of a known first name and the known names after it; below <paramref name="first"/> when there is no such pair.</summary>
    private int CapitalsNameEnd(string text, List<Word> words, int first)
    {
        if (!IsName(text, words[first], _firstNames)) return first - 1;
        int last = first;
        while (last + 1 < words.Count && words[last + 1].Shape == Shape.Capitals && OneSpaceApart(text, words[last], words[last + 1]) && IsName(text, words[last + 1], _names))
        {
            last++;
        }
        return last > first ? last : first - 1;
    }

    private bool IsName(string text, Word word, FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> names)
    {
        Span<char> buffer = stackalloc char[2 * MaximumNameLength];
        var key = Key(text, word, buffer);
        if (key.IsEmpty || _wordsThatStay.Contains(key)) return false;
        if (names.Contains(key)) return true;
        foreach (var part in key.Split('-'))
        {
            if (names.Contains(key[part])) return true;
        }
        return false;
    }

    private bool Stays(string text, Word word)
    {
        Span<char> buffer = stackalloc char[2 * MaximumNameLength];
        return word.Shape != Shape.Initial && _wordsThatStay.Contains(Key(text, word, buffer));
    }

    /// <summary>The word folded into <paramref name="buffer"/>, without a possessive 's ("Smith's" looks up "smith"); empty when too long for a name.</summary>
    private static ReadOnlySpan<char> Key(string text, Word word, Span<char> buffer)
    {
        var span = text.AsSpan(word.Start, word.End - word.Start);
        if (span.Length > 2 && span[^1] is 's' or 'S' && span[^2] is '\'' or '’') span = span[..^2];
        return span.Length > MaximumNameLength ? [] : buffer[..LatinFolding.Fold(span, buffer)];
    }

    private static bool OneSpaceApart(string text, Word left, Word right) => right.Start == left.End + 1 && text[left.End] == ' ';

    private enum Shape { Other, Capitalised, Capitals, Initial }

    private readonly record struct Word(int Start, int End, Shape Shape);

    /// <summary>Words: letters with inner apostrophes and hyphens; a single capital with its full stop is an initial.</summary>
    private static List<Word> WordsOf(string text)
    {
        var words = new List<Word>();
        for (int i = 0; i < text.Length;)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }
            int start = i;
            bool lower = false, upper = false;
            while (i < text.Length && (char.IsLetter(text[i]) || (text[i] is '\'' or '’' or '-' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
            {
                lower |= char.IsLower(text[i]);
                upper |= char.IsUpper(text[i]);
                i++;
            }
            bool capitalFirst = char.IsUpper(text[start]);
            var shape = !capitalFirst ? Shape.Other
                : i - start == 1 && i < text.Length && text[i] == '.' ? Shape.Initial
                : lower ? Shape.Capitalised
                : upper && i - start >= TextCleaner.MinimumWordLength ? Shape.Capitals : Shape.Other;
            if (shape == Shape.Initial) i++;
            words.Add(new Word(start, i, shape));
        }
        return words;
    }

    /// <summary>The words of the dictionary's keywords: StudyDescription gives study and description.</summary>
    private static IEnumerable<string> KeywordWords() =>
        DicomDictionary.Entries.SelectMany(entry => KeywordWord().Matches(entry.Keyword)).Select(match => LatinFolding.Fold(match.Value));

    [GeneratedRegex(@"\p{Lu}\p{Ll}{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex KeywordWord();

    private static IEnumerable<string> Words(string resource)
    {
        var words = new List<string>();
        foreach (var row in EmbeddedTable.Read(typeof(NameGazetteer).Assembly, ResourcePrefix + resource).Rows())
        {
            foreach (var word in row.Line.Split(' '))
            {
                if (!row.Line[word].IsEmpty) words.Add(LatinFolding.Fold(row.Line[word].ToString()));
            }
        }
        return words;
    }
}
