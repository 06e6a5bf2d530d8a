using System.Text;

namespace CloudAnon.Generate;

/// <summary>Shared helpers for the generated tab-separated files.</summary>
internal static class TsvOutput
{
    /// <summary>
    /// Converts a JSON tag such as "(0020,31XX)" to the 8-character form of the generated files, "002031xx",
    /// where x marks a wildcard nibble.
    /// </summary>
    public static string TagPattern(string jsonTag)
    {
        string hex = jsonTag.Trim().Trim('(', ')').Replace(",", "", StringComparison.Ordinal).ToLowerInvariant();
        if (hex.Length != 8 || !hex.All(c => char.IsAsciiHexDigit(c) || c == 'x'))
        {
            throw new InvalidDataException($"unexpected tag '{jsonTag}'");
        }
        return hex;
    }

    /// <summary>Written for a blank cell, so that every cell has text and no line ends with a tab.</summary>
    public const string Blank = "-";

    /// <summary>A cell's text with runs of white space (line breaks in the standard's names) collapsed to one space.</summary>
    public static string Cell(string text)
    {
        string cell = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return cell.Length == 0 ? Blank : cell != Blank ? cell : throw new InvalidDataException($"cell text '{Blank}'");
    }

    /// <summary>Writes with LF line ends and no BOM, so the committed file is identical on every platform.</summary>
    public static void Write(string path, string header, IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (string line in header.Split('\n')) text.Append("# ").Append(line).Append('\n');
        foreach (string line in lines) text.Append(line).Append('\n');
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
