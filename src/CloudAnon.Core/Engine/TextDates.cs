using System.Globalization;
using System.Text.RegularExpressions;

namespace CloudAnon.Core.Engine;

/// <summary>
/// Dates as free text writes them: 20190304, 2019-03-04, 2019.03.04, 2019/03/04, 04/03/2019 (day or month first),
/// 04.03.2019, 4 March 2019, 04-Mar-2019, March 4, 2019, 2019 Mar 4 (as viewers burn it into images; also 2019Mar4, as
/// recognition reads it without its spaces), and with two-digit years 04/03/19, 04.03.19, 04-03-19 (years
/// 1950–2049, .NET's invariant pivot). Each is read back with the format that writes it the same way, so a shifted date
/// keeps its spelling. Four-digit years 1850–2199 only, so other numbers are left alone.
/// </summary>
internal static class TextDates
{
    private const string Year = @"(?:18[5-9]\d|19\d\d|2[01]\d\d)";
    private const string Month = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

    /// <summary>The alternatives, for a regex with ExplicitCapture and IgnoreCase at the caller.</summary>
    public const string Pattern =
        @"(?<compact>" + Year + @"\d{4})"
        + @"|(?<iy>" + Year + @")(?<is>[-./])(?<im>\d\d?)\k<is>(?<id>\d\d?)"
        + @"|(?<na>\d\d?)(?<ns>[-./])(?<nb>\d\d?)\k<ns>(?:(?<ny>" + Year + @")|(?<nyy>\d\d))"
        + @"|(?<dd>\d\d?)(?<ds1>[ -])(?<dm>(?i)" + Month + @")\.?(?<ds2>[ -])(?<dy>" + Year + ")"
        + @"|(?<mm>(?i)" + Month + @")\.?(?<ms1> )(?<md>\d\d?)(?<ms2>,? )(?<my>" + Year + ")"
        + @"|(?<ry>" + Year + @")(?<rs1>[ -]?)(?<rm>(?i)" + Month + @")\.?(?<rs2>[ -]?)(?<rd>\d\d?)";

    /// <summary>The date a match of <see cref="Pattern"/> names, and the format that writes it alike; the format is null when day and month cannot be told apart.</summary>
    /// <returns>False when the text is not a calendar date (20191399).</returns>
    public static bool TryRead(Match match, out DateOnly date, out string? format)
    {
        date = default;
        format = null;
        var g = match.Groups;
        int year, month, day;
        if (g["compact"].Success)
        {
            format = "yyyyMMdd";
            return DateOnly.TryParseExact(match.Value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        }
        if (g["iy"].Success)
        {
            (year, month, day) = (Number(g["iy"]), Number(g["im"]), Number(g["id"]));
            format = "yyyy" + Quote(g["is"]) + Width("M", g["im"]) + Quote(g["is"]) + Width("d", g["id"]);
        }
        else if (g["ny"].Success || g["nyy"].Success)
        {
            int a = Number(g["na"]), b = Number(g["nb"]);
            bool shortYear = g["nyy"].Success;
            int fullYear = shortYear ? CultureInfo.InvariantCulture.Calendar.ToFourDigitYear(Number(g["nyy"])) : Number(g["ny"]);
            // A full stop is the day-first European spelling; with slashes or hyphens either may come first.
            bool dayFirst = g["ns"].Value == "." || a > 12;
            bool monthFirst = !dayFirst && b > 12;
            (year, day, month) = monthFirst ? (fullYear, b, a) : (fullYear, a, b);
            if (dayFirst || monthFirst || a == b)
            {
                string first = monthFirst ? Width("M", g["na"]) : Width("d", g["na"]);
                string second = monthFirst ? Width("d", g["nb"]) : Width("M", g["nb"]);
                format = first + Quote(g["ns"]) + second + Quote(g["ns"]) + (shortYear ? "yy" : "yyyy");
            }
        }
        else if (g["dy"].Success)
        {
            (year, month, day) = (Number(g["dy"]), MonthNumber(g["dm"].Value), Number(g["dd"]));
            format = Width("d", g["dd"]) + Quote(g["ds1"]) + MonthName(g["dm"].Value) + Quote(g["ds2"]) + "yyyy";
        }
        else if (g["my"].Success)
        {
            (year, month, day) = (Number(g["my"]), MonthNumber(g["mm"].Value), Number(g["md"]));
            format = MonthName(g["mm"].Value) + Quote(g["ms1"]) + Width("d", g["md"]) + Quote(g["ms2"]) + "yyyy";
        }
        else
        {
            (year, month, day) = (Number(g["ry"]), MonthNumber(g["rm"].Value), Number(g["rd"]));
            format = "yyyy" + Quote(g["rs1"]) + MonthName(g["rm"].Value) + Quote(g["rs2"]) + Width("d", g["rd"]);
        }
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            format = null;
            return false;
        }
        date = new DateOnly(year, month, day);
        return true;
    }

    private static int Number(Group group) => int.Parse(group.Value, CultureInfo.InvariantCulture);

    private static string Width(string unit, Group group) => group.Length == 2 ? unit + unit : unit;

    private static string Quote(Group separator) => "'" + separator.Value + "'";

    private static int MonthNumber(string name) =>
        Array.FindIndex(CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedMonthNames, m => m.Length > 0 && name.StartsWith(m, StringComparison.OrdinalIgnoreCase)) + 1;

    /// <summary>A month written in full stays in full, an abbreviation an abbreviation (English names).</summary>
    private static string MonthName(string name) => name.Length > 3 && !name.Equals("sept", StringComparison.OrdinalIgnoreCase) ? "MMMM" : "MMM";
}
