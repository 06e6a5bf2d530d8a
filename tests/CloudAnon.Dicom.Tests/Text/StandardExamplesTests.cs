using CloudAnon.Dicom;

namespace CloudAnon.Dicom.Tests.Text;

/// <summary>
/// The worked examples of PS3.5 Annexes H (Japanese), I (Korean), J (UTF-8, GB18030) and K (GB 2312): the bytes are
/// copied from the standard's "encoded representation"; both directions must reproduce them exactly.
/// </summary>
public sealed class StandardExamplesTests
{
    public static TheoryData<string, string, string, string> Examples => new()
    {
        // Example H.3-1: value 1 empty (ISO 2022 IR 6), JIS X 0208 in G0, back to ASCII before each delimiter.
        {
            @"\ISO 2022 IR 87", "PN", "Yamada^Tarou=山田^太郎=やまだ^たろう",
            "59 61 6D 61 64 61 5E 54 61 72 6F 75 3D 1B 24 42 3B 33 45 44 1B 28 42 5E 1B 24 42 42 40 4F 3A 1B 28 42 3D"
            + " 1B 24 42 24 64 24 5E 24 40 1B 28 42 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 42"
        },
        // Example H.3-2: value 1 ISO 2022 IR 13 (Romaji G0, katakana G1), so the way back is ESC ( J.
        {
            @"ISO 2022 IR 13\ISO 2022 IR 87", "PN", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
            "D4 CF C0 DE 5E C0 DB B3 3D 1B 24 42 3B 33 45 44 1B 28 4A 5E 1B 24 42 42 40 4F 3A 1B 28 4A 3D"
            + " 1B 24 42 24 64 24 5E 24 40 1B 28 4A 5E 1B 24 42 24 3F 24 6D 24 26 1B 28 4A"
        },
        // Example I.2-1: KS X 1001 in G1, designated again in every component.
        {
            @"\ISO 2022 IR 149", "PN", "Hong^Gildong=洪^吉洞=홍^길동",
            "48 6F 6E 67 5E 47 69 6C 64 6F 6E 67 3D 1B 24 29 43 FB F3 5E 1B 24 29 43 D1 CE D4 D7 3D"
            + " 1B 24 29 43 C8 AB 5E 1B 24 29 43 B1 E6 B5 BF"
        },
        // Annex J.2 (UTF-8, traditional script) and J.3 (GB18030, simplified script).
        {
            "ISO_IR 192", "PN", "Wang^XiaoDong=王^小東=",
            "57 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D E7 8E 8B 5E E5 B0 8F E6 9D B1 3D"
        },
        {
            "GB18030", "PN", "Wang^XiaoDong=王^小东=",
            "57 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D CD F5 5E D0 A1 B6 AB 3D"
        },
        // Example K.2-1: GB 2312 in G1.
        {
            @"\ISO 2022 IR 58", "PN", "Zhang^XiaoDong=张^小东=",
            "5A 68 61 6E 67 5E 58 69 61 6F 44 6F 6E 67 3D 1B 24 29 41 D5 C5 5E 1B 24 29 41 D0 A1 B6 AB 3D"
        },
        // Example K.3-1 (2024 edition): LT, every line starts again in the initial set, so G1 is designated per line.
        {
            @"\ISO 2022 IR 58", "LT", "1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n",
            "31 2E 1B 24 29 41 B5 DA D2 BB D0 D0 CE C4 D7 D6 A1 A3 0D 0A"
            + " 32 2E 1B 24 29 41 B5 DA B6 FE D0 D0 CE C4 D7 D6 A1 A3 0D 0A"
            + " 33 2E 1B 24 29 41 B5 DA C8 FD D0 D0 CE C4 D7 D6 A1 A3 0D 0A"
        },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Decodes_the_standard_bytes(string specificCharacterSet, string vr, string text, string hex)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(specificCharacterSet);

        Assert.True(charset.IsRecognized);
        Assert.Equal(text, charset.Decode(Hex(hex), Vr(vr)));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Encodes_to_the_standard_bytes(string specificCharacterSet, string vr, string text, string hex)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(specificCharacterSet);

        Assert.True(charset.CanEncode(text, Vr(vr)));
        Assert.Equal(Hex(hex), charset.Encode(text, Vr(vr)));
    }

    [Fact]
    public void Reads_the_2015_edition_of_example_K3_which_also_returned_G0_to_ASCII_before_each_line_end()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 58");
        byte[] bytes = Hex(
            "31 2E 1B 24 29 41 B5 DA D2 BB D0 D0 CE C4 D7 D6 A1 A3 1B 28 42 0D 0A"
            + " 32 2E 1B 24 29 41 B5 DA B6 FE D0 D0 CE C4 D7 D6 A1 A3 1B 28 42 0D 0A"
            + " 33 2E 1B 24 29 41 B5 DA C8 FD D0 D0 CE C4 D7 D6 A1 A3 1B 28 42 0D 0A 20");

        Assert.Equal("1.第一行文字。\r\n2.第二行文字。\r\n3.第三行文字。\r\n ", charset.Decode(bytes, DicomVR.LT));
    }

    internal static byte[] Hex(string spaced) => Convert.FromHexString(spaced.Replace(" ", ""));

    private static DicomVR Vr(string code) => DicomVR.TryParse(code, out DicomVR vr) ? vr : throw new ArgumentException(code);
}
