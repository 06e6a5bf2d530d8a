using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Dicom.Tests.Text;

/// <summary>
/// Patient's Name (0010,0010) of the files in ../shared/corpus/charset. The expected names were read with pydicom
/// 2.3.1 and, where it can, dcmdump +U8 (dcmtk 3.6.7); pydicom drops a trailing empty component group ("="), dcmdump
/// keeps it, as we do. For chrGB2312_iso2022_ir58 pydicom 2.3.1 leaves the escape sequences in, so dcmdump is the reference.
/// </summary>
public sealed class CharacterSetCorpusTests
{
    public static TheoryData<string, string, bool> Files => new()
    {
        // file, expected name, whether our encoder reproduces the file's bytes exactly
        { "chrFren.dcm", "Buc^Jérôme", true },
        { "chrFrenMulti.dcm", "Buc^Jérôme", true },
        { "chrGerm.dcm", "Äneas^Rüdiger", true },
        { "Lena-latin5_turkish.dcm", "Test-éüäöòİ", true },
        { "chrRuss.dcm", "Люк" + "ce" + "мб" + "yp" + "г", true }, // the file mixes Latin c, e, y, p into the Cyrillic
        { "chrGreek.dcm", "Διονυσιος", true },
        { "chrArab.dcm", "قباني^لنزار", true },
        { "chrHbrw.dcm", "שרון^דבורה", true },
        { "Lena-tis-620_thai.dcm", "Test-๛", true },
        { "chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう", true },
        { "chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", true },
        { "chrJapMulti.dcm", "やまだ^たろう", true },
        { "chrJapMultiExplicitIR6.dcm", "やまだ^たろう", true },
        { "chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동", true },
        { "chrKoreanMulti.dcm", "김희중", false }, // the file ends with a redundant ESC ( B
        { "chrX1_utf8.dcm", "Wang^XiaoDong=王^小東=", true },
        { "chrX2_gb18030.dcm", "Wang^XiaoDong=王^小东=", true },
        { "chrGB2312_iso2022_ir58.dcm", "Zhang^XiaoDong=张^小东=", true },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Patient_name_decodes_to_the_reference_text_and_encodes_back(string file, string expected, bool byteExact)
    {
        await using FileStream stream = File.OpenRead(Path.Combine(Corpus.Directory, "charset", file));
        using DicomFile dicom = await DicomFile.OpenAsync(stream);
        var charset = DicomCharacterSet.FromSpecificCharacterSet(dicom.Dataset.GetAsciiString(new DicomTag(0x0008, 0x0005)));
        var element = Assert.IsType<DicomValueElement>(dicom.Dataset.Find(new DicomTag(0x0010, 0x0010)));
        byte[] patientName = element.Bytes.Span.TrimEnd((byte)' ').ToArray(); // the writer's even-length padding

        string decoded = charset.Decode(patientName, DicomVR.PN);
        byte[] encoded = charset.Encode(decoded, DicomVR.PN);

        Assert.True(charset.IsRecognized);
        Assert.Equal(expected, decoded);
        Assert.Equal(expected, charset.Decode(encoded, DicomVR.PN));
        if (byteExact) Assert.Equal(patientName, encoded);
    }
}
