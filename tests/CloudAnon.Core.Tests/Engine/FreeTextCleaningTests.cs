using System.Text;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using static CloudAnon.TestSupport.RawDicom;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Free text under Clean Descriptors and Clean Structured Content, written as RIS and report text writes it, through the
/// whole de-identifier: the file's names in their other spellings, names no cue announces, and dates under Full Dates.
/// Every output byte is searched (Latin-1 and UTF-8, any case) for every name, and the imaging words beside them must stay.
/// </summary>
public sealed class FreeTextCleaningTests
{
    private const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    private const string StudyUid = "1.2.826.0.1.3680043.10.999.190";
    private const string SeriesUid = "1.2.826.0.1.3680043.10.999.191";
    private const string SopUid = "1.2.826.0.1.3680043.10.999.192";
    private const ProfileOptions CleanOptions = ProfileOptions.CleanDescriptors | ProfileOptions.CleanStructuredContent;
    private static readonly DicomTag PatientComments = new(0x0010, 0x4000), ImageComments = new(0x0020, 0x4000), StudyDescription = new(0x0008, 0x1030);

    // Imaging words that the names lists hold (Brain, Dixon, Chase, Temple, Philips) and others around them.
    private const string ImagingTerms = "MR Brain Routine, T1 Dixon, Bolus Chase, Whole Body Bone, Echo Time, Field Strength, Long Axis, " +
        "Philips Ingenia, Temple region, Black Blood, Head First.";

    [Theory]
    // The header spells the name in ASCII transliteration, the text with umlauts, and the other way round.
    [InlineData("MUELLER^JOERG", "Befund Müller, Jörg; Rückfrage Herr MÜLLER und JORG Muller")]
    [InlineData("Müller^Jörg", "seen by MUELLER JOERG; copy to Mueller, Joerg; mueller joerg signed")]
    public async Task The_patients_name_is_cut_in_its_other_spellings_and_the_imaging_words_stay(string patientName, string comments)
    {
        byte[] output = await RunAsync(CleanOptions, patientName, (PatientComments, "LT", ImagingTerms), (ImageComments, "LT", comments));

        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal(ImagingTerms, Text(result, PatientComments));
        string cleaned = Text(result, ImageComments);
        Assert.DoesNotMatch("(?i)m(ü|ue|u)ller|j(ö|oe|o)rg", cleaned);
        AssertNotInAnyByte(output, "Müller", "Mueller", "Muller", "Jörg", "Joerg", "Jorg");
    }

    [Fact]
    public async Task Names_without_a_cue_are_cut_by_the_gazetteer_and_the_imaging_words_stay()
    {
        // As RIS order comments and report text write them; no title, label or ^ announces any of these names.
        const string comments = "Husband John Smith present. Pt had outside study of Margaret Okonkwo, fell at Whitfield farm on ice. " +
            "Images sent by Anna Kowalczyk; compare J. Brennan report. HUSBAND JOHN SMITH AT BEDSIDE.";
        byte[] output = await RunAsync(CleanOptions, "DOE^JANE", (PatientComments, "LT", ImagingTerms), (ImageComments, "LT", comments),
            (StudyDescription, "LO", "MR Brain Routine Margaret Okonkwo"));

        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal(ImagingTerms, Text(result, PatientComments));
        Assert.Equal("MR Brain Routine [REMOVED]", Text(result, StudyDescription));
        Assert.Equal("Husband [REMOVED] present. Pt had outside study of [REMOVED], fell at [REMOVED] farm on ice. " +
            "Images sent by [REMOVED]; compare [REMOVED] report. HUSBAND [REMOVED] AT BEDSIDE.", Text(result, ImageComments));
        AssertNotInAnyByte(output, "John", "Smith", "Margaret", "Okonkwo", "Whitfield", "Kowalczyk", "Brennan");
    }

    [Fact]
    public async Task Under_full_dates_dates_in_text_stay_except_the_birth_date_and_ambiguous_ones()
    {
        // Full Dates keeps the header's dates as they are, so the same dates in text tell nothing more; the birth date
        // (removed by the profile) and a day/month that could be it read the other way round still go.
        const string comments = "prior CT 2018-11-05 and 05.11.2018; born 1961-03-15; seen 03/04/2019";
        byte[] output = await RunAsync(CleanOptions | ProfileOptions.RetainLongitudinalFullDates, "DOE^JANE",
            (new DicomTag(0x0010, 0x0030), "DA", "19610315"), (ImageComments, "LT", comments));

        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal("prior CT 2018-11-05 and 05.11.2018; born [REMOVED]; seen [REMOVED]", Text(result, ImageComments));
        Assert.Equal("20190304", result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x0020)));
        AssertNotInAnyByte(output, "1961");
    }

    private static string Text(DicomFile file, DicomTag tag) =>
        Encoding.Latin1.GetString(((DicomValueElement)file.Dataset.Find(tag)!).Bytes.Span).TrimEnd(' ');

    /// <summary>A CT in ISO_IR 100 with the patient's name and ID, a study date, and the given text values.</summary>
    private static async Task<byte[]> RunAsync(ProfileOptions options, string patientName, params (DicomTag Tag, string VR, string Text)[] values)
    {
        var elements = new List<(uint Tag, byte[] Element)>
        {
            (0x00080005, Explicit(0x00080005, "CS", "ISO_IR 100")),
            (0x00080016, Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2")),
            (0x00080018, Explicit(0x00080018, "UI", SopUid)),
            (0x00080020, Explicit(0x00080020, "DA", "20190304")),
            (0x00080050, Explicit(0x00080050, "SH", "ACC4471")),
            (0x00100010, Explicit(0x00100010, "PN", Latin1(patientName))),
            (0x00100020, Explicit(0x00100020, "LO", "PID4471")),
            (0x0020000D, Explicit(0x0020000D, "UI", StudyUid)),
            (0x0020000E, Explicit(0x0020000E, "UI", SeriesUid)),
        };
        elements.AddRange(values.Select(v => (((uint)v.Tag.Group << 16) | v.Tag.Element, Explicit(((uint)v.Tag.Group << 16) | v.Tag.Element, v.VR, Latin1(v.Text)))));
        byte[] input = File(ExplicitLittleEndian, [], [.. elements.OrderBy(e => e.Tag).Select(e => e.Element)]);

        using var file = await DicomFile.OpenAsync(new MemoryStream(input));
        var (_, output) = await new EngineHarness(options).RunAsync(file);
        return output;
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text.Length % 2 == 0 ? text : text + " ");

    private static void AssertNotInAnyByte(byte[] output, params string[] values)
    {
        byte[] searchable = Searchable(output);
        string latin1 = Encoding.Latin1.GetString(searchable), utf8 = Encoding.UTF8.GetString(searchable);
        foreach (string value in values)
        {
            Assert.DoesNotContain(value, latin1, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(value, utf8, StringComparison.OrdinalIgnoreCase);
        }
    }
}
