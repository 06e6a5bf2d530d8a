using System.Text;

namespace CloudAnon.Core.Engine;

/// <summary>
/// The file's person names and their parts found in text in any of their spellings (<see cref="LatinFolding"/>): a
/// header MUELLER^JOERG finds Müller, Mueller, Muller, Jörg and JOERG; a header Müller finds MUELLER. Spellings of five
/// letters or more are cut wherever they appear, shorter ones only where no letter touches them ("Jörg" but not
/// "Jorgensen"'s first four letters); names in scripts written without spaces are cut as written.
/// </summary>
internal sealed class NameSpellings
{
    private readonly string[] _anywhere;
    private readonly string[] _wholeWords;

    /// <param name="nameTokens">Names and name parts: of three letters or more, of two in scripts written without spaces.</param>
    public NameSpellings(IEnumerable<string> nameTokens)
    {
        var spellings = nameTokens.SelectMany(token => token.Any(TextCleaner.IsUnspacedScript)
                ? [(Spelling: LatinFolding.Fold(token), Anywhere: true)]
                : LatinFolding.Spellings(token, TextCleaner.MinimumWordLength).Select(s => (Spelling: s, Anywhere: s.Length >= TextCleaner.MinimumSubstringLength)))
            .Distinct().ToList();
        _anywhere = [.. spellings.Where(s => s.Anywhere).Select(s => s.Spelling)];
        _wholeWords = [.. spellings.Where(s => !s.Anywhere).Select(s => s.Spelling)];
    }

    public string Cut(string text)
    {
        if (_anywhere.Length == 0 && _wholeWords.Length == 0) return text;
        // Most text has no letter to fold: it is searched as it is, ignoring case, without a folded copy.
        int[]? origins = null;
        bool fold = LatinFolding.HasLettersToFold(text);
        string searched = fold ? LatinFolding.Fold(text, out origins) : text;
        var comparison = fold ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        List<(int Start, int End)>? found = null;
        foreach (string spelling in _anywhere) FindAll(searched, spelling, comparison, wholeWord: false, ref found);
        foreach (string spelling in _wholeWords) FindAll(searched, spelling, comparison, wholeWord: true, ref found);
        if (found is null) return text;

        found.Sort();
        var result = new StringBuilder(text.Length);
        int done = 0;
        foreach (var (start, end) in found)
        {
            int from = origins?[start] ?? start, to = (origins?[end - 1] ?? end - 1) + 1;
            if (to <= done) continue; // inside a span already cut
            if (from >= done)
            {
                result.Append(text, done, from - done).Append(TextCleaner.Removed);
            }
            done = to;
        }
        return result.Append(text, done, text.Length - done).ToString();
    }

    private static void FindAll(string searched, string spelling, StringComparison comparison, bool wholeWord, ref List<(int, int)>? found)
    {
        for (int at = searched.IndexOf(spelling, comparison); at >= 0; at = searched.IndexOf(spelling, at + 1, comparison))
        {
            int end = at + spelling.Length;
            if (wholeWord && ((at > 0 && char.IsLetter(searched[at - 1])) || (end < searched.Length && char.IsLetter(searched[end])))) continue;
            (found ??= []).Add((at, end));
        }
    }
}
