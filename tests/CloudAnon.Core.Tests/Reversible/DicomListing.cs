using System.Text.RegularExpressions;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Reversible;

/// <summary>
/// dcmdump's listing of a file, normalised so that two encodings of the same data set compare equal:
/// <list type="bullet">
/// <item>sequence and item lengths (explicit vs undefined) and their delimitation lines are dropped: gdcmanon and
/// CloudAnon write the restored sequences with undefined length;</item>
/// <item>group lengths (gggg,0000) are dropped: they follow from the sequence length encoding, and gdcm drops them
/// inside items; so is the element count of items, which counts them;</item>
/// <item>of the File Meta group only (0002,0002), (0002,0003) and (0002,0010) are kept: the rest names the writing
/// implementation;</item>
/// <item>runs of blanks collapse to one (dcmdump aligns columns).</item>
/// </list>
/// Values up to 64 KiB are printed whole; longer ones (pixel data) only by their length.
/// </summary>
public static partial class DicomListing
{
    public static IReadOnlyList<string> Of(string path)
    {
        var result = ExternalTool.Run("dcmdump", ["-q", "+L", "-M", "+R", "64", path]);
        Assert.True(result.ExitCode == 0, $"dcmdump failed on {Path.GetFileName(path)}: {result.StandardError}");
        return [.. result.StandardOutput.Split('\n').Select(Normalise).OfType<string>()];
    }

    /// <summary>A readable account of the first lines where two listings differ, for assertion messages.</summary>
    public static string Difference(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = expected.Except(actual).Take(5).Select(line => "  - " + line);
        var extra = actual.Except(expected).Take(5).Select(line => "  + " + line);
        return string.Join('\n', missing.Concat(extra));
    }

    /// <summary>The listing without the top-level elements <paramref name="tags"/> ("gggg,eeee") and their nested lines.</summary>
    public static IReadOnlyList<string> WithoutTopLevel(IReadOnlyList<string> listing, params string[] tags)
    {
        var kept = new List<string>();
        bool skipping = false;
        foreach (string line in listing)
        {
            bool topLevel = line.StartsWith('(');
            if (topLevel) skipping = tags.Any(tag => line.StartsWith($"({tag})", StringComparison.Ordinal));
            if (!skipping) kept.Add(line);
        }
        return kept;
    }

    private static string? Normalise(string line)
    {
        var element = ElementLine().Match(line);
        if (!element.Success) return null; // headers, blank lines
        string group = element.Groups["group"].Value, tag = element.Groups["tag"].Value;
        if (tag is "fffe,e00d" or "fffe,e0dd" || tag.EndsWith(",0000", StringComparison.Ordinal)) return null;
        if (group == "0002" && tag is not ("0002,0002" or "0002,0003" or "0002,0010")) return null;
        if (element.Groups["vr"].Value is "SQ" or "na")
        {
            line = SequenceLength().Replace(line, "");
            line = LengthField().Replace(line, "#");
            line = ItemElementCount().Replace(line, "(Item)");
        }
        return element.Groups["indent"].Value + Blanks().Replace(line.Trim(), " ");
    }

    [GeneratedRegex(@"^(?<indent>\s*)\((?<tag>(?<group>[0-9a-f]{4}),[0-9a-f]{4})\) (?<vr>\S\S) ")]
    private static partial Regex ElementLine();

    [GeneratedRegex("with (explicit|undefined) length ")]
    private static partial Regex SequenceLength();

    [GeneratedRegex(@"#\s*(u/l|\d+),")]
    private static partial Regex LengthField();

    [GeneratedRegex(@"\(Item #=\d+\)")]
    private static partial Regex ItemElementCount();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();
}
