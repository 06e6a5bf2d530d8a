using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;
using static CloudAnon.Core.Tests.Engine.RealWorldFiles;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>Identifiers written in descriptions and other free text, as RIS and operators write them. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class DescriptionTextTests
{
    [Fact]
    public async Task Descriptions_lose_short_name_parts_and_real_dates_under_modified_dates_and_clean_descriptors()
    {
        const ProfileOptions options = ProfileOptions.RetainLongitudinalModifiedDates | ProfileOptions.CleanDescriptors;
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid), Explicit(0x00080020, "DA", "20190304"),
            Explicit(0x00081030, "LO", "Liver CT for Li Wu J. prior 2018-11-05, 05.11.2018, 5 November 2018, Nov 5, 2018, 2018 Nov 06, 20181105, 05.11.18, 11/30/18; ref " + SopUid + "1"),
            Explicit(0x00100010, "PN", "Wu^Li^J"), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid));
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore(), options: options), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        string description = result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x1030))!;

        Assert.StartsWith("Liver CT for ", description);
        Assert.DoesNotMatch(@"\b(Li|Wu)\b|\bJ\.", description);
        foreach (string real in new[] { "2018-11-05", "05.11.2018", "5 November 2018", "Nov 5, 2018", "2018 Nov 06", "20181105", "2018", "05.11.18", "11/30/18" }) Assert.DoesNotContain(real, description);
        // Shifted by the patient's offset, in the same spellings: the study date's shift tells the offset.
        int offset = DateOnly.ParseExact(result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x0020))!, "yyyyMMdd").DayNumber - new DateOnly(2019, 3, 4).DayNumber;
        var shifted = new DateOnly(2018, 11, 5).AddDays(offset);
        Assert.Contains(shifted.ToString("yyyy-MM-dd"), description);
        Assert.Contains(shifted.ToString("dd.MM.yyyy"), description);
        Assert.Contains(shifted.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture), description);
        Assert.Contains(shifted.ToString("dd.MM.yy"), description);
        Assert.Contains(shifted.AddDays(1).ToString("yyyy MMM dd", System.Globalization.CultureInfo.InvariantCulture), description);
        Assert.Contains(new DateOnly(2018, 11, 30).AddDays(offset).ToString("MM/dd/yy", System.Globalization.CultureInfo.InvariantCulture), description);
        // A UID that has another UID as its prefix is replaced whole, not corrupted.
        Assert.DoesNotContain(SopUid, description);
        Assert.Matches(@"ref 2\.25\.\d+$", description);
    }

    [Fact]
    public async Task Descriptions_lose_names_contacts_and_ids_the_file_does_not_name_and_keep_imaging_terms()
    {
        // Identifiers of people and records nowhere else in the file, written as RIS and modality operators write them.
        string[] identifiers =
        [
            "Hartmann", "Kowalski", "J. Okafor", "MCALLISTER^ROSE", "Nguyen-Tran", "BRENNAN", "Petrosyan",
            "+49 30 1234567", "030-12345678", "(617) 555-0142", "r.okafor@clinic-north.example", "A7712345", "9938812", "HX-44",
        ];
        // Region^protocol, as Siemens writes Study Description: a person name's form in a short description, kept there.
        const string SiemensStudyDescription = "Head^Routine";
        // The patient is Ross^Ann: short parts of the file's own name go where no letter touches them, not inside words.
        const string imagingTerms = "MR BRAIN T2 FLAIR 512 512 256, TR 500 ms TE 15 ms, 1.25 mm, Series 3 of 5, 120 kVp, DR CHEST PA, MS PROTOCOL, " +
            "Patient position HFS, Routine Scout, crossover planning";
        string comments = "Ref. Dr. Hartmann; called Frau Kowalski at +49 30 1234567 or 030-12345678, cc Dr J. Okafor, (617) 555-0142, " +
            "r.okafor@clinic-north.example; prior MCALLISTER^ROSE MRN: A7712345 acc 9938812; Name: Nguyen-Tran; REQUESTED BY BRENNAN; " +
            "Technologist: Petrosyan; chart #HX-44; with ANN, ross.";
        const ProfileOptions options = ProfileOptions.CleanDescriptors;
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid),
            Explicit(0x00081030, "LO", SiemensStudyDescription),
            Explicit(0x00100010, "PN", "Ross^Ann"), Explicit(0x00100020, "LO", "PID9"), Explicit(0x00104000, "LT", imagingTerms),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
            Explicit(0x00204000, "LT", comments));
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore(), options: options), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));

        string cleaned = result.Dataset.GetAsciiString(new DicomTag(0x0020, 0x4000))!;
        foreach (string identifier in identifiers) Assert.DoesNotContain(identifier, cleaned, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("Ref. Dr. [REMOVED]; called Frau [REMOVED] at [REMOVED] or [REMOVED]", cleaned);
        Assert.Contains("prior [REMOVED] MRN: [REMOVED] acc [REMOVED]", cleaned);
        Assert.EndsWith("with [REMOVED], [REMOVED].", cleaned);
        Assert.Equal(imagingTerms, result.Dataset.GetAsciiString(new DicomTag(0x0010, 0x4000)));
        Assert.Equal(SiemensStudyDescription, result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x1030)));
        AssertNoMarker(output, identifiers);
    }

    [Fact]
    public async Task Japanese_and_korean_names_are_cut_from_text_written_without_spaces()
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text) is var bytes && bytes.Length % 2 == 0 ? bytes : [.. bytes, (byte)' '];
        const string comments = "山田太郎さん、胸部CT。やまださんの前回検査、紹介医 홍길동님";
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00080005, "CS", "ISO_IR 192"),
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid),
            Explicit(0x00080090, "PN", Utf8("Hong^Gildong=홍^길동")),
            Explicit(0x00100010, "PN", Utf8("Yamada^Tarou=山田^太郎=やまだ^たろう")), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
            Explicit(0x00204000, "LT", Utf8(comments)));
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore(), options: ProfileOptions.CleanDescriptors), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));

        var cleaned = Encoding.UTF8.GetString(((DicomValueElement)result.Dataset.Find(new DicomTag(0x0020, 0x4000))!).Bytes.Span);
        foreach (string name in new[] { "山田", "太郎", "やまだ", "홍길동", "길동" }) Assert.DoesNotContain(name, cleaned);
        Assert.Contains("胸部CT", cleaned);
        Assert.Contains("前回検査", cleaned);
    }

    [Fact]
    public async Task Text_shaped_against_the_cleaners_patterns_is_cleaned_in_linear_time()
    {
        // Long runs of what each pattern starts with but never completes: a pattern that backtracks over them takes
        // minutes. Just under 64 KiB, the largest text value the engine cleans (a larger one is read as bulk data and replaced whole).
        string[] runs = ["a", "1", "a.", "1-", "1.", "+1 ", "Dr. Aa ", "Name: Aa ", "Aa^", "x@a.", "MRN: "];
        string text = string.Join(" ", runs.Select(run => string.Concat(Enumerable.Repeat(run, 5_400 / run.Length))));
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid),
            Explicit(0x00100010, "PN", "Ross^Ann"), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
            Explicit(0x00321066, "UT", text)); // Reason for Visit: UT, cleaned under Clean Descriptors

        var run = RunAsync(NewDeidentifier(new InMemoryMappingStore(), options: ProfileOptions.CleanDescriptors), input);
        byte[] output = await run.WaitAsync(TimeSpan.FromMinutes(2));

        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        string cleaned = result.Dataset.GetAsciiString(new DicomTag(0x0032, 0x1066))!;
        Assert.StartsWith(new string('a', 1000), cleaned);
        Assert.DoesNotContain(new string('1', 1000), cleaned); // the digit run is an ID-like number
    }
}
