namespace CloudAnon.Dicom.Text;

/// <summary>What one defined term of Specific Character Set (0008,0005) stands for (PS3.3 C.12.1.1.2).</summary>
/// <param name="G0">The G0 element it designates, if any.</param>
/// <param name="G1">The G1 element it designates, if any.</param>
/// <param name="IsCodeExtension">An "ISO 2022 IR n" term, usable in a multi-valued list.</param>
/// <param name="WholeValue">For UTF-8, GB18030 and GBK, which are not made of code elements.</param>
internal sealed record DefinedTerm(CodeElement? G0, CodeElement? G1, bool IsCodeExtension, WholeValueCodec? WholeValue = null)
{
    /// <summary>An empty value 1 of a multi-valued list stands for ISO 2022 IR 6.</summary>
    public static readonly DefinedTerm Iso2022Ir6 = new(CodeElement.Ascii, null, IsCodeExtension: true);
}

internal static class DefinedTerms
{
    private static readonly Dictionary<string, DefinedTerm> ByKey = Build(); // read-only after Build

    /// <summary>
    /// Case, spaces, "_" and "-" are ignored, which accepts the common misspellings ("ISO-IR 192", "ISO_IR_100",
    /// "iso 2022 ir 87", a trailing space); "UTF-8"/"UTF8" and "GB2312" are accepted as aliases.
    /// </summary>
    public static bool TryGet(string term, out DefinedTerm definition) =>
        ByKey.TryGetValue(string.Concat(term.Where(char.IsAsciiLetterOrDigit)).ToUpperInvariant(), out definition!);

    private static Dictionary<string, DefinedTerm> Build()
    {
        var terms = new Dictionary<string, DefinedTerm>();
        void AddBoth(string number, CodeElement g0, CodeElement? g1)
        {
            terms["ISOIR" + number] = new DefinedTerm(g0, g1, IsCodeExtension: false);
            terms["ISO2022IR" + number] = new DefinedTerm(g0, g1, IsCodeExtension: true);
        }

        AddBoth("6", CodeElement.Ascii, null);
        AddBoth("100", CodeElement.Ascii, CodeElement.Latin1);
        AddBoth("101", CodeElement.Ascii, CodeElement.Latin2);
        AddBoth("109", CodeElement.Ascii, CodeElement.Latin3);
        AddBoth("110", CodeElement.Ascii, CodeElement.Latin4);
        AddBoth("144", CodeElement.Ascii, CodeElement.Cyrillic);
        AddBoth("127", CodeElement.Ascii, CodeElement.Arabic);
        AddBoth("126", CodeElement.Ascii, CodeElement.Greek);
        AddBoth("138", CodeElement.Ascii, CodeElement.Hebrew);
        AddBoth("148", CodeElement.Ascii, CodeElement.Latin5);
        AddBoth("203", CodeElement.Ascii, CodeElement.Latin9);
        AddBoth("166", CodeElement.Ascii, CodeElement.Thai);
        AddBoth("13", CodeElement.JisRomaji, CodeElement.JisKatakana);

        // Multi-byte sets exist only with code extensions.
        terms["ISO2022IR87"] = new DefinedTerm(CodeElement.JisX0208, null, IsCodeExtension: true);
        terms["ISO2022IR159"] = new DefinedTerm(CodeElement.JisX0212, null, IsCodeExtension: true);
        terms["ISO2022IR149"] = new DefinedTerm(null, CodeElement.KsX1001, IsCodeExtension: true);
        terms["ISO2022IR58"] = new DefinedTerm(null, CodeElement.Gb2312, IsCodeExtension: true);

        terms["ISOIR192"] = terms["UTF8"] = new DefinedTerm(null, null, IsCodeExtension: false, WholeValueCodec.Utf8);
        terms["GB18030"] = new DefinedTerm(null, null, IsCodeExtension: false, WholeValueCodec.Gb18030);
        terms["GBK"] = new DefinedTerm(null, null, IsCodeExtension: false, WholeValueCodec.Gbk);
        terms["GB2312"] = new DefinedTerm(null, null, IsCodeExtension: false, WholeValueCodec.Gb2312);
        return terms;
    }
}
