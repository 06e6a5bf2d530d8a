using System.Text.RegularExpressions;

namespace CloudAnon.Core.Engine;

/// <summary>
/// How text recognition misreads burned-in text, so that pixel-text=identifying judges a line as it was meant, not only
/// as it was read: digits read as letters ("D0B", "1D"), spaces dropped so that a value is glued to its label
/// ("PatientID6670427471", "Name:RIVERA"), and digits misread in small text ("02/27/1531" for 1931).
/// </summary>
internal static partial class RecognitionMisreadings
{
    /// <summary>
    /// The line as read, with O read as 0 and I or l as 1, with a space between letters and digits and after a colon,
    /// and with both; each made only when the ones before it did not identify.
    /// </summary>
    public static IEnumerable<string> Readings(string text)
    {
        yield return text;
        string digits = AsDigits(text);
        yield return digits;
        yield return Separated(text);
        yield return Separated(digits);
    }

    /// <summary>Whether the line has the shape of a numeric date (day, month and year in any order, with slashes, hyphens or full stops), whatever its digits read.</summary>
    public static bool IsNumericDate(string text) => NumericDate().IsMatch(AsDigits(text));

    private static string AsDigits(string text) => text.Replace('O', '0').Replace('o', '0').Replace('I', '1').Replace('l', '1');

    private static string Separated(string text) => GluedTokens().Replace(text, " ");

    [GeneratedRegex(@"(?<=\p{L})(?=\d)|(?<=\d)(?=\p{L})|(?<=[:：])(?=\S)")]
    private static partial Regex GluedTokens();

    [GeneratedRegex(@"(?<!\d)\d{1,4} ?([/.-]) ?\d{1,2} ?\1 ?\d{1,4}(?!\d)")]
    private static partial Regex NumericDate();
}
