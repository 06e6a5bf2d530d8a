using CloudAnon.Dicom;
using static CloudAnon.Dicom.Tests.Text.StandardExamplesTests;

namespace CloudAnon.Dicom.Tests.Text;

public sealed class DicomCharacterSetTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Absent_or_empty_value_is_the_default_repertoire(string? value)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(value);

        Assert.Same(DicomCharacterSet.Default, charset);
        Assert.True(charset.IsRecognized);
        Assert.Empty(charset.Terms);
    }

    [Theory]
    [InlineData("ISO_IR 192", "ISO_IR 192")]
    [InlineData("ISO_IR 192 ", "ISO_IR 192")] // padding
    [InlineData("ISO-IR 192", "ISO-IR 192")] // common misspellings
    [InlineData("ISO IR 192", "ISO IR 192")]
    [InlineData("iso_ir_192", "iso_ir_192")]
    [InlineData("UTF-8", "UTF-8")]
    public void Spellings_of_UTF8_are_recognized_and_terms_kept_as_given(string value, string term)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(value);

        Assert.True(charset.IsRecognized);
        Assert.Equal([term], charset.Terms);
        Assert.Equal("王", charset.Decode(Hex("E7 8E 8B"), DicomVR.PN));
    }

    [Fact]
    public void Multi_valued_terms_keep_an_empty_first_value()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 87 ");

        Assert.Equal(["", "ISO 2022 IR 87"], charset.Terms);
        Assert.Equal(@"\ISO 2022 IR 87", charset.ToString());
    }

    [Theory]
    [InlineData("ISO_IR 999")] // unknown
    [InlineData("KOI8-R")]
    [InlineData(@"ISO_IR 192\ISO 2022 IR 87")] // UTF-8 cannot be combined
    [InlineData(@"ISO_IR 100\ISO_IR 144")] // only ISO 2022 terms may be combined
    [InlineData(@"\ISO 2022 IR 87\ISO 2022 IR 999")]
    public void Unknown_terms_and_invalid_combinations_are_not_recognized(string value)
    {
        Assert.False(DicomCharacterSet.FromSpecificCharacterSet(value).IsRecognized);
    }

    [Fact]
    public void Unrecognized_set_decodes_high_bytes_as_Latin1_but_encodes_ASCII_only()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 999");

        Assert.Equal("Jérôme", charset.Decode(Hex("4A E9 72 F4 6D 65"), DicomVR.PN));
        Assert.True(charset.CanEncode("ANONYMOUS^PATIENT"));
        Assert.False(charset.CanEncode("Jérôme"));
    }

    [Fact]
    public void Unrecognized_set_still_decodes_the_terms_it_knows()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 149\ISO 2022 IR 999");

        Assert.Equal("洪", charset.Decode(Hex("1B 24 29 43 FB F3"), DicomVR.PN));
    }

    [Fact]
    public void Combined_single_byte_terms_are_read_as_their_ISO_2022_twins()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"ISO_IR 100\ISO_IR 144");

        Assert.Equal("Jé^Ж", charset.Decode(Hex("4A E9 5E 1B 2D 4C B6"), DicomVR.PN));
    }

    [Theory]
    [InlineData("ISO_IR 100", "Jérôme", "4A E9 72 F4 6D 65")]
    [InlineData("ISO_IR 101", "Łódź", "A3 F3 64 BC")]
    [InlineData("ISO_IR 109", "Ħ", "A1")]
    [InlineData("ISO_IR 110", "Ā", "C0")]
    [InlineData("ISO_IR 144", "Жуков", "B6 E3 DA DE D2")]
    [InlineData("ISO_IR 127", "قباني", "E2 C8 C7 E6 EA")]
    [InlineData("ISO_IR 126", "Διονυσιος", "C4 E9 EF ED F5 F3 E9 EF F2")]
    [InlineData("ISO_IR 138", "שרון", "F9 F8 E5 EF")]
    [InlineData("ISO_IR 148", "İş", "DD FE")]
    [InlineData("ISO_IR 203", "€Œ", "A4 BC")]
    [InlineData("ISO_IR 166", "ก๛", "A1 FB")]
    [InlineData("ISO_IR 13", "ｱﾝ", "B1 DD")]
    [InlineData("GBK", "王", "CD F5")]
    public void Single_byte_and_whole_value_sets_round_trip(string value, string text, string hex)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(value);

        Assert.True(charset.IsRecognized);
        Assert.Equal(text, charset.Decode(Hex(hex), DicomVR.LO));
        Assert.Equal(Hex(hex), charset.Encode(text, DicomVR.LO));
    }

    [Fact]
    public void Bytes_undefined_in_TIS_620_decode_to_replacement_characters_and_are_never_written()
    {
        var thai = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 166");

        // windows-874 maps 0xDB and 0xFF into the Private Use Area; TIS 620 leaves them undefined.
        Assert.Equal("\uFFFD\uFFFD", thai.Decode(Hex("DB FF"), DicomVR.LO));
        Assert.False(thai.CanEncode("\uF8C1"));
    }

    [Fact]
    public void Single_byte_set_does_not_interpret_escape_sequences()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");

        Assert.Equal("\e-Lé", charset.Decode(Hex("1B 2D 4C E9"), DicomVR.LO));
    }

    [Fact]
    public void Default_repertoire_passes_high_bytes_through_as_Latin1_and_encodes_ASCII_only()
    {
        Assert.Equal("Müller", DicomCharacterSet.Default.Decode(Hex("4D FC 6C 6C 65 72"), DicomVR.PN));
        Assert.Equal("MULLER"u8.ToArray(), DicomCharacterSet.Default.Encode("MULLER", DicomVR.PN));
        Assert.False(DicomCharacterSet.Default.CanEncode("Müller"));
    }

    [Fact]
    public void VRs_that_do_not_depend_on_the_character_set_read_ASCII_and_Latin1_and_write_ASCII_only()
    {
        var utf8 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 192");

        Assert.Equal("Ã©", utf8.Decode(Hex("C3 A9"), DicomVR.CS)); // not UTF-8 for CS: one char per byte
        Assert.True(utf8.CanEncode("é", DicomVR.LO));
        Assert.False(utf8.CanEncode("é", DicomVR.CS));
    }

    [Fact]
    public void Encode_refuses_text_outside_the_repertoire_without_quoting_it()
    {
        var latin1 = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 100");

        var error = Assert.Throws<ArgumentException>(() => latin1.Encode("Жуков", DicomVR.PN));
        Assert.DoesNotContain("Жуков", error.Message);
        Assert.DoesNotContain("Ж", error.Message);
        Assert.False(latin1.TryEncode("Жуков", DicomVR.PN, out byte[]? bytes));
        Assert.Null(bytes);
    }

    [Theory]
    [InlineData("GBK", "😀")] // GBK has no characters beyond the BMP
    [InlineData(@"\ISO 2022 IR 149", "东")] // a simplified hanzi: KS X 1001 has traditional hanja only
    [InlineData(@"\ISO 2022 IR 87", "한")]
    [InlineData(@"\ISO 2022 IR 58", "ä")]
    public void CanEncode_is_false_outside_the_repertoire(string value, string text)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(value);

        Assert.False(charset.CanEncode(text));
        Assert.False(charset.TryEncode(text, DicomVR.PN, out _));
    }

    [Fact]
    public void Lone_surrogate_is_not_encodable_in_UTF8()
    {
        // Not an InlineData: the theory serializer would turn the lone surrogate into U+FFFD.
        Assert.False(DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 192").CanEncode("a\ud800b"));
    }

    [Theory]
    [InlineData("ISO_IR 100")]
    [InlineData("ISO_IR 192")]
    [InlineData(@"\ISO 2022 IR 87")]
    public void ESC_is_never_written(string value)
    {
        Assert.False(DicomCharacterSet.FromSpecificCharacterSet(value).CanEncode("A\eB"));
    }

    [Fact]
    public void GB18030_encodes_characters_beyond_the_BMP()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet("GB18030");

        byte[] bytes = charset.Encode("😀", DicomVR.LT);

        Assert.Equal(4, bytes.Length);
        Assert.Equal("😀", charset.Decode(bytes, DicomVR.LT));
    }

    [Fact]
    public void Code_extensions_switch_G1_between_single_byte_sets_and_reset_at_delimiters()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"ISO 2022 IR 100\ISO 2022 IR 144");
        byte[] expected = Hex("4A E9 5E 1B 2D 4C B6 5E E9"); // Jé^ ESC - L Ж ^ é: G1 is Latin-1 again after "^"

        Assert.Equal(expected, charset.Encode("Jé^Ж^é", DicomVR.PN));
        Assert.Equal("Jé^Ж^é", charset.Decode(expected, DicomVR.PN));
    }

    [Fact]
    public void JIS_X_0212_is_designated_into_G0_with_ESC_dollar_paren_D()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 87\ISO 2022 IR 159");
        // 丂 (U+4E02) is 0x3021 and 龥 (U+9FA5) 0x6D63 in JIS X 0212; neither is in JIS X 0208.
        byte[] expected = Hex("41 1B 24 28 44 30 21 6D 63 1B 28 42");

        Assert.Equal(expected, charset.Encode("A丂龥", DicomVR.LO));
        Assert.Equal("A丂龥", charset.Decode(expected, DicomVR.LO));
    }

    [Theory]
    [InlineData("PN", "洪^ûó")] // "^" resets G1 to none, so the next bytes are not KS X 1001
    [InlineData("LO", "洪^洪")] // "^" is no delimiter outside PN
    public void Component_delimiters_reset_the_code_elements_only_in_PN(string vr, string expected)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 149");

        Assert.Equal(expected, charset.Decode(Hex("1B 24 29 43 FB F3 5E FB F3"), DicomVR.TryParse(vr, out var v) ? v : default));
    }

    [Theory]
    [InlineData("LO", "洪\\ûó")] // value delimiter
    [InlineData("LT", "洪\\洪")] // LT is single-valued: backslash is text
    public void Backslash_resets_the_code_elements_except_in_text_VRs(string vr, string expected)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 149");

        Assert.Equal(expected, charset.Decode(Hex("1B 24 29 43 FB F3 5C FB F3"), DicomVR.TryParse(vr, out var v) ? v : default));
    }

    [Fact]
    public void Delimiter_bytes_inside_a_two_byte_G0_character_are_not_delimiters()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 87");
        // 旬 is 0x3D5C and 急 0x355E in JIS X 0208: their second bytes are "\" and "^".
        byte[] expected = Hex("1B 24 42 3D 5C 35 5E 1B 28 42 5E 41");

        Assert.Equal(expected, charset.Encode("旬急^A", DicomVR.PN));
        Assert.Equal("旬急^A", charset.Decode(expected, DicomVR.PN));
    }

    [Theory]
    [InlineData("1B 28 5A 41", "\uFFFDA")] // unknown escape sequence
    [InlineData("41 1B 24", "A\uFFFD")] // cut off escape sequence
    [InlineData("1B 24 42 3B 33 45", "山\uFFFD")] // odd byte count in a two-byte set
    [InlineData("1B 24 29 43 FB", "\uFFFD")] // cut off two-byte G1 character
    public void Malformed_ISO_2022_bytes_decode_to_replacement_characters(string hex, string expected)
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet(@"\ISO 2022 IR 87\ISO 2022 IR 149");

        Assert.Equal(expected, charset.Decode(Hex(hex), DicomVR.LO));
    }

    [Fact]
    public void Invalid_UTF8_decodes_to_replacement_characters()
    {
        var charset = DicomCharacterSet.FromSpecificCharacterSet("ISO_IR 192");

        Assert.Equal("A\uFFFDB", charset.Decode(Hex("41 FF 42"), DicomVR.LO));
    }

    [Fact]
    public void Decoding_random_bytes_never_throws_in_any_character_set()
    {
        string[] sets =
        [
            "", "ISO_IR 100", "ISO_IR 166", "ISO_IR 13", "ISO_IR 192", "GB18030", "GBK", "GB2312", "ISO_IR 999",
            @"\ISO 2022 IR 87\ISO 2022 IR 159", @"ISO 2022 IR 13\ISO 2022 IR 87", @"\ISO 2022 IR 149", @"\ISO 2022 IR 58",
            @"ISO 2022 IR 100\ISO 2022 IR 144\ISO 2022 IR 166",
        ];
        DicomVR[] vrs = [DicomVR.PN, DicomVR.LO, DicomVR.LT, DicomVR.UT, DicomVR.CS];
        var random = new Random(20261125);
        var bytes = new byte[600];
        foreach (string set in sets)
        {
            var charset = DicomCharacterSet.FromSpecificCharacterSet(set);
            for (int i = 0; i < 300; i++)
            {
                Span<byte> value = bytes.AsSpan(0, random.Next(bytes.Length));
                random.NextBytes(value);
                for (int k = 0; k < value.Length / 8; k++) value[random.Next(value.Length)] = 0x1B; // plenty of escapes
                string text = charset.Decode(value, vrs[i % vrs.Length]);
                Assert.True(text.Length <= value.Length, set);
            }
        }
    }
}
