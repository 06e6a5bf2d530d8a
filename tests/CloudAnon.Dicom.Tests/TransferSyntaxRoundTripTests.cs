using System.Text.RegularExpressions;
using CloudAnon.TestSupport;

namespace CloudAnon.Dicom.Tests;

/// <summary>
/// Uncompressed corpus files converted through every uncompressed syntax and back (implicit ↔ explicit ↔ big ↔ deflated),
/// each step checked against dcmdump's listing of the original. The normalisation of the listings is described in
/// <see cref="DcmdumpListing"/>.
/// </summary>
public sealed partial class TransferSyntaxRoundTripTests
{
    private static readonly TransferSyntax[] Cycle =
    [
        TransferSyntax.ExplicitVRLittleEndian,
        TransferSyntax.ExplicitVRBigEndian,
        TransferSyntax.DeflatedExplicitVRLittleEndian,
        TransferSyntax.ImplicitVRLittleEndian,
    ];

    /// <summary>A spread of encodings and features: sequences of both length kinds, private blocks and private sequences, UN (also of undefined length), OD/OF, odd lengths, multi-frame, character sets.</summary>
    public static TheoryData<string> UncompressedFiles() =>
    [
        "ts/implicit_le/MR_small_implicit.dcm",
        "private/private_sq/nested_priv_SQ.dcm",
        "private/private_sq/priv_SQ.dcm",
        "private/siemens_csa/nibabel_0.dcm",
        "modality/RT/rtdose_15frames.dcm",
        "modality/SEG/seg_ct_binary_fractional_implicit.dcm",
        "structure/simple-test_nested.dcm",
        "modality/PR/PR000000_GSPS.dcm",
        "ts/explicit_le/MR_small.dcm",
        "structure/GH177_CT1_UN_undefined_length_ELE.dcm",
        "private/odd_creators/GH1146_numeric_private_creators.dcm",
        "modality/PMAP/parametric_map_float.dcm",
        "modality/ANN/sm_bulk_annotations.dcm",
        "modality/DX/dx_image.dcm",
        "modality/SR/structured_report_enhanced.dcm",
        "private/philips/Magdeburg_EPI_0001_01.dcm",
        "charset/chrH32.dcm",
        "modality/PT/TCIA_ACRIN-FLT-Breast_PET.dcm",
        "ts/explicit_be/MR_small_bigendian.dcm",
        "ts/explicit_be/SC_rgb_small_odd_big_endian.dcm",
        "ts/explicit_be/emri_small_big_endian.dcm",
        "dicomdir/pydicom_dicomdirtests/DICOMDIR-bigEnd",
        "ts/deflated/image_dfl.dcm",
        "ts/deflated/Issue1097_deflated_with_SQ.dcm",
        "ts/deflated/report_dfl_enhanced_sr",
        "ts/deflated/wave_dfl_hemodynamic",
    ];

    [Theory]
    [MemberData(nameof(UncompressedFiles))]
    public async Task Every_value_survives_a_cycle_through_the_uncompressed_syntaxes(string relativePath)
    {
        byte[] original = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        var start = await SyntaxOfAsync(original);
        var expected = DcmdumpListing.Of(original);

        // Starting after the original's syntax and ending with it, e.g. explicit → big → deflated → implicit → explicit.
        int first = Array.FindIndex(Cycle, s => s.Uid == start.Uid) + 1;
        var steps = Enumerable.Range(first, Cycle.Length).Select(i => Cycle[i % Cycle.Length]).ToList();

        byte[] current = original;
        bool throughImplicit = !start.IsExplicitVR;
        var path = new List<string> { start.Name };
        foreach (var target in steps)
        {
            current = await CorpusRoundTripTests.RewriteAsync(current, target);
            path.Add(target.Name);
            Assert.Equal(target.Uid, (await SyntaxOfAsync(current)).Uid);

            // Implicit VR drops the VR: from then on unknown tags read as UN and two-VR tags (US or SS, OB or OW) take the dictionary's choice.
            throughImplicit |= !target.IsExplicitVR;
            DcmdumpListing.AssertSameValues(expected, DcmdumpListing.Of(current), throughImplicit, string.Join(" → ", path));
        }
    }

    [Fact]
    public async Task Converting_an_encapsulated_file_to_another_syntax_is_refused()
    {
        var jpeg = Corpus.WellFormed.First(f => f.TransferSyntaxUid == "1.2.840.10008.1.2.4.50");
        await using var source = File.OpenRead(jpeg.FullPath);
        using var file = await DicomFile.OpenAsync(source);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => file.SaveAsync(Stream.Null, TransferSyntax.ExplicitVRLittleEndian));
        Assert.Contains("encapsulated (compressed) pixel data", error.Message, StringComparison.Ordinal);

        // Its own syntax is still written.
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        Assert.Equal(jpeg.Bytes, output.Length);
    }

    private static async Task<TransferSyntax> SyntaxOfAsync(byte[] content)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(content, writable: false));
        return file.TransferSyntax;
    }
}

/// <summary>
/// dcmdump's listing (-q +E +L +Qo: every value in full, non-ASCII quoted as octal) reduced to what must survive a
/// change of transfer syntax. Normalisation, and why:
/// <list type="bullet">
/// <item>The header lines and the File Meta group (0002,xxxx) are dropped: the meta legitimately names the new syntax.</item>
/// <item>The "# length, VM name" annotation is dropped: lengths of sequences and items depend on the encoding, and a
/// value that changes VR (below) changes its VM count.</item>
/// <item>Item and delimiter lines lose their "#=n" and "for re-encod." remarks: dcmdump prints delimiters it synthesises for defined lengths.</item>
/// <item>Group length values (gggg,0000) are dropped: they are recomputed for the encoding's header sizes.</item>
/// <item>Binary values (OB, OW, UN) are listed as little-endian bytes, so that OW pixel data read from implicit VR
/// (where Pixel Data can only be OW) can be compared with the OB it was.</item>
/// <item>Once the cycle has passed through Implicit VR (or started there), a VR may legitimately change: see
/// SameValueWithoutVR. In particular an element the dictionary does not know (mostly private) comes back as UN, and
/// a private sequence that came back as one UN value stands for the original's whole subtree.</item>
/// </list>
/// </summary>
internal static partial class DcmdumpListing
{
    // dcmdump prints "ox" and "xs" for tags with two possible VRs read from implicit VR.
    private static readonly HashSet<string> BinaryVRs = ["OB", "OW", "UN", "ox"];
    private static readonly HashSet<string> ShortVRs = ["US", "SS", "xs"];
    private static readonly HashSet<string> TextVRs = ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"];

    public sealed record Line(int Depth, string Tag, string VR, string Value)
    {
        public override string ToString() => $"{new string(' ', Depth * 2)}({Tag}) {VR} {(Value.Length > 120 ? Value[..120] + "…" : Value)}";
    }

    public static IReadOnlyList<Line> Of(byte[] content)
    {
        var result = ExternalTool.RunOnBytes(content, "dcmdump", "-q", "+E", "+L", "+Qo");
        Assert.True(result.ExitCode == 0, $"dcmdump failed ({result.ExitCode}): {result.StandardError}");
        return Parse(result.StandardOutput);
    }

    private static List<Line> Parse(string listing)
    {
        var lines = new List<Line>();
        foreach (string raw in listing.Split('\n'))
        {
            var match = LinePattern().Match(raw);
            if (!match.Success) continue;
            string tag = match.Groups["tag"].Value;
            if (tag.StartsWith("0002,", StringComparison.Ordinal)) continue;
            // dcmdump shows an element of unknown VR read from implicit VR as "??".
            string vr = match.Groups["vr"].Value is "??" ? "UN" : match.Groups["vr"].Value;
            string value = match.Groups["value"].Value.TrimEnd();
            if (tag.EndsWith(",0000", StringComparison.Ordinal)) value = "";
            else if (vr == "na") value = Remark().Replace(value, "");
            else if (vr is "OW" or "ox") value = LittleEndianBytes(value);
            lines.Add(new Line(match.Groups["indent"].Length / 2, tag, vr, value));
        }
        return lines;
    }

    public static void AssertSameValues(IReadOnlyList<Line> expected, IReadOnlyList<Line> actual, bool throughImplicit, string path)
    {
        int e = 0, a = 0;
        while (e < expected.Count && a < actual.Count)
        {
            Line want = expected[e], got = actual[a];
            if (want == got)
            {
                e++;
                a++;
                continue;
            }
            Assert.True(throughImplicit && SameValueWithoutVR(want, got),
                $"{path}: listing differs at original line {e}:\n  expected {want}\n  actual   {got}");
            e++;
            a++;
            if (want.VR == "SQ" && got.VR != "SQ")
            {
                while (e < expected.Count && expected[e].Depth > want.Depth) e++;
                if (e < expected.Count && expected[e].Tag == "fffe,e0dd" && expected[e].Depth == want.Depth) e++;
            }
        }
        Assert.True(e == expected.Count && a == actual.Count,
            $"{path}: listing length differs: {expected.Count - e} original lines and {actual.Count - a} converted lines left over");
    }

    /// <summary>
    /// The same value after Implicit VR took the VR away and a dictionary (ours, or dcmdump's reading an implicit file)
    /// chose one: binary values (OB/OW/UN) compared as bytes; US and SS as 16-bit patterns; text as text; an element
    /// that became UN against the bytes of the text it was. Other reinterpretations (a private IS read as SS, a private
    /// SQ become one UN value) are matched by tag and position only.
    /// </summary>
    private static bool SameValueWithoutVR(Line want, Line got)
    {
        if (want.Tag != got.Tag || want.Depth != got.Depth) return false;
        if (BinaryVRs.Contains(want.VR) && BinaryVRs.Contains(got.VR)) return SameBytes(want.Value, got.Value);
        if (ShortVRs.Contains(want.VR) && ShortVRs.Contains(got.VR)) return UnsignedShorts(want.Value).SequenceEqual(UnsignedShorts(got.Value));
        if (TextVRs.Contains(want.VR) && TextVRs.Contains(got.VR)) return want.Value == got.Value;
        if (got.VR != "UN" || !TextVRs.Contains(want.VR) || want.Value == "(no value available)") return true;
        string text = want.Value.Length >= 2 && want.Value[0] == '[' && want.Value[^1] == ']' ? want.Value[1..^1] : want.Value;
        var unknown = WithoutPadding(HexBytes(got.Value));
        // "\\ooo" is an octal escape under +Qo, or a value separator before digits: either reading may be the right one.
        return unknown.SequenceEqual(WithoutPadding(Unquote(text))) || unknown.SequenceEqual(WithoutPadding(text.Select(c => (byte)c)));
    }

    /// <summary>dcmdump pads an odd-length OB with a zero byte but shows an odd-length OW without its last byte: compare the common part.</summary>
    private static bool SameBytes(string want, string got)
    {
        if (want == got) return true;
        var a = HexBytes(want);
        var b = HexBytes(got);
        int common = Math.Min(a.Count, b.Count);
        return Math.Abs(a.Count - b.Count) <= 2 && a.Take(common).SequenceEqual(b.Take(common));
    }

    private static List<byte> HexBytes(string value) =>
        value.StartsWith('(') ? [] : [.. value.Split('\\', StringSplitOptions.RemoveEmptyEntries).Select(h => Convert.ToByte(h, 16))];

    private static IEnumerable<ushort> UnsignedShorts(string values) =>
        values.Split('\\').Select(v => unchecked((ushort)int.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));

    private static List<byte> WithoutPadding(IEnumerable<byte> bytes)
    {
        var list = bytes.ToList();
        while (list.Count > 0 && list[^1] is 0x20 or 0x00) list.RemoveAt(list.Count - 1);
        return list;
    }

    /// <summary>dcmdump's text with +Qo: printable ASCII, non-ASCII as \ooo octal.</summary>
    private static IEnumerable<byte> Unquote(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (i + 4 <= text.Length && OctalEscape().IsMatch(text.AsSpan(i, 4)))
            {
                yield return Convert.ToByte(text.Substring(i + 1, 3), 8);
                i += 3;
            }
            else
            {
                yield return (byte)text[i];
            }
        }
    }

    /// <summary>OW words ("0201") become their little-endian bytes ("01\02"); OB and UN bytes stay as they are.</summary>
    private static string LittleEndianBytes(string value)
    {
        if (value.StartsWith('(')) return value;
        var bytes = new List<string>();
        foreach (string unit in value.Split('\\', StringSplitOptions.RemoveEmptyEntries))
        {
            for (int i = unit.Length - 2; i >= 0; i -= 2) bytes.Add(unit.Substring(i, 2));
        }
        return string.Join('\\', bytes);
    }

    [GeneratedRegex(@"^(?<indent> *)\((?<tag>[0-9a-f]{4},[0-9a-f]{4})\) (?<vr>[A-Za-z?]{2}) (?<value>.*?)(#\s*\d+,\s*\d+\s+\S.*)?$")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"\s*(#=\d+|for re-encod\.|with explicit length|with undefined length)")]
    private static partial Regex Remark();

    [GeneratedRegex(@"^\\[0-7]{3}$")]
    private static partial Regex OctalEscape();
}
