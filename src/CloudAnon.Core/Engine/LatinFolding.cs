using System.Text;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Latin letters without their diacritics, in lower case, so that a name matches however it was typed: Müller as
/// muller, Søren as soren, Strauß as strauss, Łukasz as lukasz. <see cref="Spellings"/> adds the German and Nordic
/// transliterations (ü/ue/u, ö/oe/o, ä/ae/a, ø/oe/o, å/aa/a) in both directions. Letters of other scripts are only
/// lower-cased. A table, not Unicode normalization, which is not available under invariant globalization.
/// </summary>
internal static class LatinFolding
{
    private const char FirstFolded = '\u00C0', LastFolded = '\u024F';

    private static readonly string?[] Table = BuildTable();

    private static string?[] BuildTable()
    {
        (string Base, string Letters)[] groups =
        [
            ("a", "ÀÁÂÃÄÅàáâãäåĀāĂăĄą"), ("c", "ÇçĆćĈĉĊċČč"), ("d", "ÐðĎďĐđ"), ("e", "ÈÉÊËèéêëĒēĔĕĖėĘęĚě"),
            ("g", "ĜĝĞğĠġĢģ"), ("h", "ĤĥĦħ"), ("i", "ÌÍÎÏìíîïĨĩĪīĬĭĮįİı"), ("j", "Ĵĵ"), ("k", "Ķķĸ"), ("l", "ĹĺĻļĽľĿŀŁł"),
            ("n", "ÑñŃńŅņŇňŉŊŋ"), ("o", "ÒÓÔÕÖØòóôõöøŌōŎŏŐő"), ("r", "ŔŕŖŗŘř"), ("s", "ŚśŜŝŞşŠšſȘș"), ("t", "ŢţŤťŦŧȚț"),
            ("u", "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų"), ("w", "Ŵŵ"), ("y", "ÝýÿŶŷŸ"), ("z", "ŹźŻżŽž"),
            ("ae", "Ææ"), ("oe", "Œœ"), ("th", "Þþ"), ("ss", "ß"), ("ij", "Ĳĳ"),
        ];
        var table = new string?[LastFolded - FirstFolded + 1];
        foreach (var (letterBase, letters) in groups)
        {
            foreach (char letter in letters) table[letter - FirstFolded] = letterBase;
        }
        return table;
    }

    /// <summary>Whether <paramref name="text"/> has a letter that folding changes other than by its case.</summary>
    public static bool HasLettersToFold(string text) => text.AsSpan().IndexOfAnyInRange(FirstFolded, LastFolded) >= 0;

    /// <summary>Lower case, Latin diacritics taken off.</summary>
    public static string Fold(string text) => Fold(text, out _);

    /// <param name="origins">For each character of the result, the index in <paramref name="text"/> it comes from; null when each comes from the same index (most text).</param>
    public static string Fold(string text, out int[]? origins)
    {
        origins = null;
        if (!HasLettersToFold(text)) return text.ToLowerInvariant();
        var folded = new StringBuilder(text.Length);
        List<int>? expanded = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? replacement = c is >= FirstFolded and <= LastFolded ? Table[c - FirstFolded] : null;
            if (replacement is null)
            {
                folded.Append(char.ToLowerInvariant(c));
                expanded?.Add(i);
                continue;
            }
            if (replacement.Length > 1 && expanded is null) expanded = [.. Enumerable.Range(0, folded.Length)];
            folded.Append(replacement);
            for (int k = 0; expanded is not null && k < replacement.Length; k++) expanded.Add(i);
        }
        origins = expanded?.ToArray();
        return folded.ToString();
    }

    /// <summary>Writes <paramref name="word"/> folded into <paramref name="destination"/>, which has room for twice its length.</summary>
    /// <returns>The number of characters written.</returns>
    public static int Fold(ReadOnlySpan<char> word, Span<char> destination)
    {
        int written = 0;
        foreach (char c in word)
        {
            string? replacement = c is >= FirstFolded and <= LastFolded ? Table[c - FirstFolded] : null;
            if (replacement is null)
            {
                destination[written++] = char.ToLowerInvariant(c);
                continue;
            }
            replacement.CopyTo(destination[written..]);
            written += replacement.Length;
        }
        return written;
    }

    /// <summary>
    /// The folded spellings a name is written in: as it is, transliterated (Müller as mueller) and with transliterations
    /// read back (MUELLER as muller, so that it matches Müller and Muller in folded text). Spellings shorter than
    /// <paramref name="minimumLength"/> are left out: JOE read back as "jo" would cut a common word.
    /// </summary>
    public static IEnumerable<string> Spellings(string name, int minimumLength)
    {
        string folded = Fold(name);
        string transliterated = Fold(Transliterate(name));
        string readBack = folded.Replace("ae", "a").Replace("oe", "o").Replace("ue", "u").Replace("aa", "a");
        return new[] { folded, transliterated, readBack }.Where(s => s.Length >= minimumLength).Distinct();
    }

    private static string Transliterate(string name) => new StringBuilder(name)
        .Replace("ä", "ae").Replace("Ä", "Ae").Replace("ö", "oe").Replace("Ö", "Oe").Replace("ü", "ue").Replace("Ü", "Ue")
        .Replace("ø", "oe").Replace("Ø", "Oe").Replace("å", "aa").Replace("Å", "Aa").ToString();
}
