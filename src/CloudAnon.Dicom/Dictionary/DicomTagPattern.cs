namespace CloudAnon.Dicom;

/// <summary>
/// Tag patterns of the standard's tables, such as (60xx,3000) or (0020,31xx): a tag whose wildcard nibbles are zero,
/// and a mask whose bits are set where the tag must match.
/// </summary>
public static class DicomTagPattern
{
    /// <summary>The mask of a pattern without wildcards.</summary>
    public const uint Exact = uint.MaxValue;

    /// <summary>Parses "ggggeeee" (8 characters, no separators) where any nibble may be x or X.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTag tag, out uint mask)
    {
        tag = default;
        mask = 0;
        if (text.Length != 8) return false;
        uint value = 0;
        foreach (char c in text)
        {
            value <<= 4;
            mask <<= 4;
            if (c is 'x' or 'X') continue;
            if (!char.IsAsciiHexDigit(c)) return false;
            value |= (uint)HexValue(c);
            mask |= 0xF;
        }
        tag = new DicomTag(value);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="tag"/> fits the pattern. Repeating groups such as 50xx and 60xx are even, so a pattern
    /// with an even group never matches a private tag; a pattern with an odd group (as in PS3.15's "(gggg,eeee) where
    /// gggg is odd") matches private tags only.
    /// </summary>
    public static bool Matches(DicomTag tag, DicomTag pattern, uint mask) =>
        (tag.Value & mask) == pattern.Value && tag.IsPrivate == ((pattern.Group & 1) == 1);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
