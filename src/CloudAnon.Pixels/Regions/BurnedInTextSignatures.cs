using System.Globalization;
using CloudAnon.Dicom;

namespace CloudAnon.Pixels.Regions;

/// <summary>
/// Rectangles known to hold burned-in text on particular devices, keyed on header values — CTP's DicomPixelAnonymizer
/// idea in the project's own format (Regions/signatures.txt, documented at its top). The first entry whose conditions
/// all hold gives the rectangles; negative coordinates count from the right or bottom edge.
/// </summary>
public sealed class BurnedInTextSignatures
{
    private static readonly Dictionary<string, Func<DicomDataset, string?>> Attributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Manufacturer"] = d => d.GetAsciiString(DicomTags.Manufacturer),
        ["ManufacturerModelName"] = d => d.GetAsciiString(DicomTags.ManufacturerModelName),
        ["Modality"] = d => d.GetAsciiString(DicomTags.Modality),
        ["Rows"] = d => PixelTags.Number(d, DicomTags.Rows)?.ToString(CultureInfo.InvariantCulture),
        ["Columns"] = d => PixelTags.Number(d, DicomTags.Columns)?.ToString(CultureInfo.InvariantCulture),
    };

    private readonly List<Signature> _signatures;

    private BurnedInTextSignatures(List<Signature> signatures) => _signatures = signatures;

    public int Count => _signatures.Count;

    /// <summary>The project's own signatures, embedded from Regions/signatures.txt.</summary>
    public static BurnedInTextSignatures Default { get; } = Parse(ReadEmbedded());

    /// <summary>The rectangles of the first matching signature, in frame coordinates; empty when none matches.</summary>
    public IReadOnlyList<PixelRegion> Match(DicomDataset dataset, int columns, int rows)
    {
        var signature = _signatures.FirstOrDefault(s => s.Conditions.All(c => c.Holds(dataset)));
        if (signature is null) return [];
        return [.. signature.Rectangles.Select(r => new PixelRegion(r.X < 0 ? columns + r.X : r.X, r.Y < 0 ? rows + r.Y : r.Y, r.Width, r.Height))];
    }

    /// <summary>Parses the signature format; a malformed line is a <see cref="FormatException"/> naming its line number.</summary>
    public static BurnedInTextSignatures Parse(string text)
    {
        var signatures = new List<Signature>();
        Signature? current = null;
        var lines = text.Split('\n');
        for (int number = 1; number <= lines.Length; number++)
        {
            string line = StripComment(lines[number - 1]).Trim();
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string keyword = colon > 0 ? line[..colon].Trim() : "";
            string rest = colon > 0 ? line[(colon + 1)..].Trim() : "";
            switch (keyword)
            {
                case "signature" when rest.Length > 0:
                    current = new Signature(rest);
                    signatures.Add(current);
                    break;
                case "when" when current is not null && current.Conditions.Count == 0:
                    current.Conditions.AddRange(rest.Split(" and ", StringSplitOptions.TrimEntries).Select(c => ParseCondition(c, number)));
                    break;
                case "blank" when current is not null:
                    current.Rectangles.Add(ParseRectangle(rest, number));
                    break;
                default:
                    throw new FormatException($"Signatures line {number}: expected 'signature: name', then one 'when: …' and 'blank: x y width height' lines.");
            }
        }
        var incomplete = signatures.FirstOrDefault(s => s.Conditions.Count == 0 || s.Rectangles.Count == 0);
        if (incomplete is not null) throw new FormatException($"Signature '{incomplete.Name}' needs a 'when:' line and at least one 'blank:' line.");
        return new BurnedInTextSignatures(signatures);
    }

    private static Condition ParseCondition(string text, int line)
    {
        foreach (var op in new[] { "!=", "=", "~" })
        {
            int at = text.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0) continue;
            string attribute = text[..at].Trim(), value = text[(at + op.Length)..].Trim();
            if (!Attributes.TryGetValue(attribute, out var read)) throw new FormatException($"Signatures line {line}: unknown attribute '{attribute}'.");
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"') throw new FormatException($"Signatures line {line}: the value must be in double quotes.");
            return new Condition(read, op, value[1..^1]);
        }
        throw new FormatException($"Signatures line {line}: a condition is 'Attribute = \"text\"', '~' (contains) or '!='.");
    }

    private static (int X, int Y, int Width, int Height) ParseRectangle(string text, int line)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var numbers = parts.Select(p => int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : (int?)null).ToArray();
        if (numbers.Length != 4 || numbers.Any(n => n is null) || numbers[2] <= 0 || numbers[3] <= 0)
        {
            throw new FormatException($"Signatures line {line}: 'blank:' takes four integers x y width height (width and height positive).");
        }
        return (numbers[0]!.Value, numbers[1]!.Value, numbers[2]!.Value, numbers[3]!.Value);
    }

    private static string StripComment(string line)
    {
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') quoted = !quoted;
            else if (line[i] == '#' && !quoted) return line[..i];
        }
        return line;
    }

    private static string ReadEmbedded() =>
        EmbeddedTable.Read(typeof(BurnedInTextSignatures).Assembly, "CloudAnon.Pixels.Regions.signatures.txt").Text;

    private sealed record Signature(string Name)
    {
        public List<Condition> Conditions { get; } = [];
        public List<(int X, int Y, int Width, int Height)> Rectangles { get; } = [];
    }

    private sealed record Condition(Func<DicomDataset, string?> Read, string Operator, string Value)
    {
        public bool Holds(DicomDataset dataset)
        {
            string actual = Read(dataset)?.Trim() ?? "";
            return Operator switch
            {
                "=" => actual.Equals(Value, StringComparison.OrdinalIgnoreCase),
                "!=" => !actual.Equals(Value, StringComparison.OrdinalIgnoreCase),
                _ => actual.Contains(Value, StringComparison.OrdinalIgnoreCase),
            };
        }
    }
}
