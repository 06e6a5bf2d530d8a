using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// PHI where real data hides it, written byte by byte as other systems write it (a codec would "fix" these shapes):
/// standard attributes as UN of defined length at the top and at depth, UN sequences with implicit items, identification
/// code sequences, File Meta addresses and private information, short name parts and dates written in descriptions,
/// references across studies, already de-identified inputs. Every output byte (inflated when deflated) is searched
/// for every marker.
/// </summary>
public sealed class RealWorldShapesTests
{
    private const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    private const string DeflatedExplicitLittleEndian = "1.2.840.10008.1.2.1.99";
    private const string StudyUid = "1.2.826.0.1.3680043.10.999.100";
    private const string SeriesUid = "1.2.826.0.1.3680043.10.999.101";
    private const string SopUid = "1.2.826.0.1.3680043.10.999.102";
    private const string FrameOfReferenceUid = "1.2.826.0.1.3680043.10.999.103";
    private const string ReferencedSeriesUid = "1.2.826.0.1.3680043.10.999.104";
    private const string ReferencedSopUid = "1.2.826.0.1.3680043.10.999.105";
    private static readonly Lazy<X509Certificate2> Certificate = new(() => TestCertificates.CreateRsa("CloudAnon real-world shapes"));

    /// <summary>A CT the way a system that knew few tags would write it: identifying values as UN, at the top and at depth.</summary>
    private static byte[] UnEncodedCt(string transferSyntax, string patientId = "PHIMARKPID", string studyUid = StudyUid, string sopUid = SopUid) => File(transferSyntax,
        [
            Explicit(0x00020016, "AE", "PHIMARKSRCAE"),
            Explicit(0x00020026, "UR", "https://phimark-source.example/ae"),
            Explicit(0x00020027, "UR", "https://phimark-sending.example/ae"),
            Explicit(0x00020028, "UR", "https://phimark-receiving.example/ae"),
            Explicit(0x00020100, "UI", "1.2.826.0.1.3680043.10.999.109"),
            Explicit(0x00020102, "OB", Encoding.ASCII.GetBytes("PHIMARKMETAPRIV")),
        ],
        Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"),
        Explicit(0x00080018, "UI", sopUid),
        Explicit(0x00080020, "DA", "20190304"),
        Explicit(0x00080060, "CS", "CT"),
        Unknown(0x00080080, "PHIMARK Institution Name"),
        Explicit(0x00080082, "SQ", Items(Join(
            Explicit(0x00080100, "SH", "PHIMARKIC1"), Explicit(0x00080102, "SH", "PHIMARKSCH"), Explicit(0x00080104, "LO", "PHIMARK General Hospital")))),
        Unknown(0x00081010, "PHIMARKSTATION"),
        Unknown(0x00081030, "PHIMARK study description"),
        Explicit(0x00081072, "SQ", Items(Join(
            Explicit(0x00080080, "LO", "PHIMARK Operator Institution"),
            Explicit(0x00401101, "SQ", Items(Join(
                Explicit(0x00080100, "SH", "PHIMARKEMP42"), Explicit(0x00080102, "SH", "L"), Explicit(0x00080104, "LO", "PHIMARK^OPERATOR")))),
            Unknown(0x00401102, "PHIMARK Operator Street 1")))),
        Explicit(0x00081070, "PN", "PHIMARK^OPERATOR"),
        // Referenced Series Sequence as UN of defined length: implicit items with the series UID and a nested sequence.
        Unknown(0x00081115, Items(Join(
            Implicit(0x0020000E, Text(ReferencedSeriesUid, 0)),
            Implicit(0x00081199, Items(Join(
                Implicit(0x00081150, Text("1.2.840.10008.5.1.4.1.1.2", 0)),
                Implicit(0x00081155, Text(ReferencedSopUid, 0)))))))),
        Unknown(0x00100010, "PHIMARK^PATIENT"),
        Explicit(0x00100020, "LO", patientId),
        Unknown(0x00101001, "PHIMARK^OTHERNAME"),
        Unknown(0x00102160, "PHIMARK ethnic group"),
        Unknown(0x00104000, "PHIMARK patient comments"),
        Explicit(0x00180015, "CS", "HEAD"),
        Explicit(0x0020000D, "UI", studyUid),
        Explicit(0x0020000E, "UI", SeriesUid),
        Unknown(0x00200052, FrameOfReferenceUid + "\0"),
        Unknown(0x00324000, "PHIMARK study comments"),
        Unknown(0x00447777, "PHIMARK unknown standard attribute"),
        // Radiopharmaceutical Information Sequence as UN, with a date, text and a private block at depth.
        Unknown(0x00540016, Items(Join(
            Implicit(0x00091010, "PHIMARK DEPTH CREATOR"),
            Implicit(0x00091001, "PHIMARK private at depth"),
            Implicit(0x00181078, "20190304101010"),
            Implicit(0x00181030, "PHIMARK protocol")))),
        // Content Sequence (D) with UN text and a UN person name inside its item.
        Explicit(0x0040A730, "SQ", Items(Join(
            Explicit(0x0040A040, "CS", "TEXT"),
            Unknown(0x0040A123, "PHIMARK^OBSERVER"),
            Unknown(0x0040A160, "PHIMARK free text at depth")))),
        Explicit(0x7FE00010, "OW", [1, 2, 3, 4]));

    private static Deidentifier NewDeidentifier(IMappingStore store, byte[]? key = null, ProfileOptions options = ProfileOptions.None, bool allowDeidentified = false) =>
        new(new DeidentificationOptions { ProfileOptions = options, ReplacementKey = key, AllowAlreadyDeidentified = allowDeidentified },
            store, new FixedCertificate(Certificate.Value));

    private static async Task<byte[]> RunAsync(Deidentifier deidentifier, byte[] input)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(input));
        await deidentifier.DeidentifyAsync(file);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        return output.ToArray();
    }

    private static void AssertNoMarker(byte[] output, params string[] originals)
    {
        byte[] searchable = Searchable(output);
        Assert.False(PlantedPhi.ContainsMarker(searchable), "a planted marker is readable in the output");
        string latin1 = Encoding.Latin1.GetString(searchable);
        foreach (string original in originals) Assert.DoesNotContain(original, latin1, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExplicitLittleEndian)]
    [InlineData(DeflatedExplicitLittleEndian)]
    public async Task Un_encoded_values_codes_and_file_meta_leave_no_marker_uid_or_date_in_any_byte(string transferSyntax)
    {
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), UnEncodedCt(transferSyntax));

        AssertNoMarker(output, StudyUid, SeriesUid, SopUid, FrameOfReferenceUid, ReferencedSeriesUid, ReferencedSopUid, "20190304");
        // dcmdump, not our codec, reads the output.
        var dump = ExternalTool.RunOnBytes(output, "dcmdump", "-q");
        Assert.True(dump.ExitCode == 0, dump.StandardError);
        Assert.DoesNotContain("PHIMARK", dump.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Un_values_are_written_with_their_dictionary_vr_and_processed_like_the_same_attribute_properly_encoded()
    {
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), UnEncodedCt(ExplicitLittleEndian));
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        var dataset = result.Dataset;

        var referencedSeries = Assert.IsType<DicomSequence>(dataset.Find(new DicomTag(0x0008, 0x1115)));
        Assert.Equal(DicomVR.SQ, referencedSeries.VR);
        var seriesUid = referencedSeries.Items[0].GetAsciiString(DicomTag.SeriesInstanceUid);
        Assert.StartsWith("2.25.", seriesUid);
        var frameOfReference = Assert.IsType<DicomValueElement>(dataset.Find(new DicomTag(0x0020, 0x0052)));
        Assert.Equal(DicomVR.UI, frameOfReference.VR);
        Assert.StartsWith("2.25.", frameOfReference.GetAsciiString());
        // Removed: the unknown standard attribute, X attributes sent as UN; in the kept Radiopharmaceutical Information
        // Sequence, the private block and the start date time (X) at depth.
        Assert.Null(dataset.Find(new DicomTag(0x0044, 0x7777)));
        Assert.Null(dataset.Find(new DicomTag(0x0010, 0x1001)));
        var radiopharmaceutical = Assert.IsType<DicomSequence>(dataset.Find(new DicomTag(0x0054, 0x0016)));
        Assert.Equal(DicomVR.SQ, radiopharmaceutical.VR);
        Assert.DoesNotContain(radiopharmaceutical.Items[0].Elements, e => e.Tag.IsPrivate || e.Tag == new DicomTag(0x0018, 0x1078));
        // The Content Sequence (D) keeps its shape; UN text inside became dummies.
        var content = Assert.IsType<DicomSequence>(dataset.Find(new DicomTag(0x0040, 0xA730)));
        Assert.Equal("TEXT", content.Items[0].GetAsciiString(new DicomTag(0x0040, 0xA040)));
        Assert.Equal(DicomVR.UT, content.Items[0].Find(new DicomTag(0x0040, 0xA160))!.VR);
    }

    [Fact]
    public async Task Identification_codes_become_a_dummy_code_of_the_local_scheme()
    {
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), UnEncodedCt(ExplicitLittleEndian));
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));

        foreach (var codes in FindAll(result.Dataset, new DicomTag(0x0040, 0x1101)).Concat(FindAll(result.Dataset, new DicomTag(0x0008, 0x0082))))
        {
            var item = Assert.Single(codes.Items);
            Assert.Equal("99CLOUDANON", item.GetAsciiString(new DicomTag(0x0008, 0x0102)));
            Assert.Equal("0", item.GetAsciiString(new DicomTag(0x0008, 0x0100)));
        }
        AssertNoMarker(output);
    }

    [Fact]
    public async Task File_meta_keeps_only_what_a_reader_needs()
    {
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), UnEncodedCt(ExplicitLittleEndian));
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal([0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x0012, 0x0013], result.FileMetaInformation.Elements.Select(e => (int)e.Tag.Element));
    }

    [Fact]
    public async Task A_second_older_meta_group_and_meta_elements_at_depth_leave_nothing_of_theirs()
    {
        // As pydicom's GH1376 sample: a system re-wrapped a file and left the old meta group at the head of the data set,
        // with the instance UID the file had before, the sending AE title and the old implementation.
        const string olderInstanceUid = "1.2.826.0.1.3680043.10.999.110";
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00020000, "UL", BitConverter.GetBytes(0u)),
            Explicit(0x00020003, "UI", olderInstanceUid),
            Explicit(0x00020013, "SH", "PHIMARKIMPL"),
            Explicit(0x00020016, "AE", "PHIMARKOLDAE"),
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"),
            Explicit(0x00080018, "UI", SopUid),
            Explicit(0x00081115, "SQ", Items(Join(Explicit(0x00020016, "AE", "PHIMARKDEEPAE"), Explicit(0x0020000E, "UI", ReferencedSeriesUid)))),
            Explicit(0x0020000D, "UI", StudyUid),
            Explicit(0x0020000E, "UI", SeriesUid));

        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), input);

        AssertNoMarker(output, olderInstanceUid, SopUid, StudyUid);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        Assert.Equal([0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x0012, 0x0013], result.FileMetaInformation.Elements.Select(e => (int)e.Tag.Element));
        var dump = ExternalTool.RunOnBytes(output, "dcmdump", "-q");
        Assert.True(dump.ExitCode == 0 && dump.StandardError.Length == 0, dump.StandardError);
    }

    [Fact]
    public async Task A_un_value_that_does_not_parse_is_removed_or_refuses_the_file_where_its_action_needs_it()
    {
        // Referenced Series Sequence (kept) as UN bytes that are no items: removed, never passed through.
        byte[] garbageSequence = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid),
            Unknown(0x00081115, "PHIMARK not items"), Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid));
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), garbageSequence);
        AssertNoMarker(output);

        // Frame of Reference UID (U) as UN with letters: its replacement needs the value, so the file is refused.
        byte[] badUid = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid), Unknown(0x00200052, "PHIMARK.1.2"));
        var error = await Assert.ThrowsAsync<DeidentificationException>(() => RunAsync(NewDeidentifier(new InMemoryMappingStore()), badUid));
        Assert.Equal(DeidentificationFailure.UninterpretableValue, error.Failure);
        Assert.Contains("(0020,0052)", error.Message);
        Assert.DoesNotContain("PHIMARK", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_uid_shared_by_two_studies_gets_one_replacement_in_either_order_and_separate_processes()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        const string laterStudy = "1.2.826.0.1.3680043.10.999.200";
        byte[] prior = UnEncodedCt(ExplicitLittleEndian);
        // The later study references the prior study, its instance, and shares its Frame of Reference (a PET/CT).
        byte[] later = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.128"), Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.202"),
            Explicit(0x00100020, "LO", "PHIMARKPID"), Explicit(0x0020000D, "UI", laterStudy), Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.201"),
            Explicit(0x00200052, "UI", FrameOfReferenceUid),
            Explicit(0x0040A375, "SQ", Items(Join(
                Explicit(0x0020000D, "UI", StudyUid),
                Explicit(0x00081115, "SQ", Items(Join(
                    Explicit(0x0020000E, "UI", SeriesUid),
                    Explicit(0x00081199, "SQ", Items(Join(Explicit(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00081155, "UI", SopUid)))))))))));

        // Each engine has its own store, as two processes on two days would without the shared table: the key alone agrees.
        var priorFirst = (await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), prior), await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), later));
        var laterFirst = (await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), later), await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), prior));

        foreach (var (priorOutput, laterOutput) in new[] { priorFirst, (laterFirst.Item2, laterFirst.Item1) })
        {
            using var p = await DicomFile.OpenAsync(new MemoryStream(priorOutput));
            using var l = await DicomFile.OpenAsync(new MemoryStream(laterOutput));
            var evidence = ((DicomSequence)l.Dataset.Find(new DicomTag(0x0040, 0xA375))!).Items[0];
            var series = ((DicomSequence)evidence.Find(new DicomTag(0x0008, 0x1115))!).Items[0];
            var instance = ((DicomSequence)series.Find(new DicomTag(0x0008, 0x1199))!).Items[0];
            Assert.Equal(p.Dataset.GetAsciiString(DicomTag.StudyInstanceUid), evidence.GetAsciiString(DicomTag.StudyInstanceUid));
            Assert.Equal(p.Dataset.GetAsciiString(DicomTag.SeriesInstanceUid), series.GetAsciiString(DicomTag.SeriesInstanceUid));
            Assert.Equal(p.Dataset.GetAsciiString(DicomTag.SopInstanceUid), instance.GetAsciiString(new DicomTag(0x0008, 0x1155)));
            Assert.Equal(p.Dataset.GetAsciiString(new DicomTag(0x0020, 0x0052)), l.Dataset.GetAsciiString(new DicomTag(0x0020, 0x0052)));
            AssertNoMarker(laterOutput, StudyUid, SeriesUid, SopUid, FrameOfReferenceUid);
        }
    }

    [Fact]
    public async Task Two_hospitals_with_the_same_patient_id_are_two_patients()
    {
        var store = new InMemoryMappingStore();
        var deidentifier = NewDeidentifier(store);
        async Task<string?> PseudonymFrom(string issuer, string sop)
        {
            byte[] input = File(ExplicitLittleEndian, [],
                Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", sop),
                Explicit(0x00100020, "LO", "12345"), Explicit(0x00100021, "LO", issuer), Explicit(0x0020000D, "UI", sop + ".1"), Explicit(0x0020000E, "UI", sop + ".2"));
            using var result = await DicomFile.OpenAsync(new MemoryStream(await RunAsync(deidentifier, input)));
            return result.Dataset.GetAsciiString(DicomTag.PatientId);
        }

        string? first = await PseudonymFrom("HOSPITAL A", "1.2.826.0.1.3680043.10.999.301");
        string? again = await PseudonymFrom("HOSPITAL A", "1.2.826.0.1.3680043.10.999.302");
        string? other = await PseudonymFrom("HOSPITAL B", "1.2.826.0.1.3680043.10.999.303");
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Descriptions_lose_short_name_parts_and_real_dates_under_modified_dates_and_clean_descriptors()
    {
        const ProfileOptions options = ProfileOptions.RetainLongitudinalModifiedDates | ProfileOptions.CleanDescriptors;
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid), Explicit(0x00080020, "DA", "20190304"),
            Explicit(0x00081030, "LO", "Liver CT for Li Wu J. prior 2018-11-05, 05.11.2018, 5 November 2018, Nov 5, 2018, 20181105, 05.11.18, 11/30/18; ref " + SopUid + "1"),
            Explicit(0x00100010, "PN", "Wu^Li^J"), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid));
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore(), options: options), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));
        string description = result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x1030))!;

        Assert.StartsWith("Liver CT for ", description);
        Assert.DoesNotMatch(@"\b(Li|Wu)\b|\bJ\.", description);
        foreach (string real in new[] { "2018-11-05", "05.11.2018", "5 November 2018", "Nov 5, 2018", "20181105", "2018", "05.11.18", "11/30/18" }) Assert.DoesNotContain(real, description);
        // Shifted by the patient's offset, in the same spellings: the study date's shift tells the offset.
        int offset = DateOnly.ParseExact(result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x0020))!, "yyyyMMdd").DayNumber - new DateOnly(2019, 3, 4).DayNumber;
        var shifted = new DateOnly(2018, 11, 5).AddDays(offset);
        Assert.Contains(shifted.ToString("yyyy-MM-dd"), description);
        Assert.Contains(shifted.ToString("dd.MM.yyyy"), description);
        Assert.Contains(shifted.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture), description);
        Assert.Contains(shifted.ToString("dd.MM.yy"), description);
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
    public async Task Binary_values_the_clean_options_name_get_the_basic_profiles_action_not_a_pass()
    {
        // Clean Graphics, Clean Descriptors and Modified Dates have C for values the cleaner cannot read: an overlay
        // bitmap (the corpus's ovly_p01 has a line of text in one), a maker note, a device setting blob, PTP timestamps.
        byte[] overlayBits = Encoding.ASCII.GetBytes("PHIMARK overlay bits with burned-in text".PadRight(64));
        byte[] frameOrigin = [0x18, 0x2F, 0x5C, 0x65, 0, 0, 0, 0, 0x40, 0x42, 0x0F, 0];
        const ProfileOptions options = ProfileOptions.CleanGraphics | ProfileOptions.CleanDescriptors | ProfileOptions.RetainLongitudinalModifiedDates;
        byte[] input = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid), Explicit(0x00080020, "DA", "20190304"),
            Explicit(0x0016002B, "OB", Encoding.ASCII.GetBytes("PHIMARK maker note serial 4711")),
            Explicit(0x0016004B, "OB", Encoding.ASCII.GetBytes("PHIMARK device setting")),
            Explicit(0x00100010, "PN", "Ross^Ann"), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
            Explicit(0x00340007, "OB", frameOrigin),
            Explicit(0x04000310, "OB", Encoding.ASCII.GetBytes("PHIMARK certified timestamp")),
            Explicit(0x60000010, "US", [16, 0]), Explicit(0x60000011, "US", [32, 0]), Explicit(0x60000040, "CS", "G"),
            Explicit(0x60000100, "US", [1, 0]), Explicit(0x60000102, "US", [0, 0]),
            Explicit(0x60004000, "LT", "PHIMARK overlay comment"),
            Explicit(0x60003000, "OW", overlayBits));
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore(), options: options), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));

        Assert.DoesNotContain(result.Dataset.Elements, element => element.Tag.Group == 0x6000); // the overlay goes whole
        foreach (uint removed in new uint[] { 0x0016002B, 0x0016004B, 0x04000310 })
        {
            Assert.False(result.Dataset.Contains(new DicomTag((ushort)(removed >> 16), (ushort)removed)), $"{removed:X8} was kept");
        }
        Assert.True(result.Dataset.TryGet<DicomValueElement>(new DicomTag(0x0034, 0x0007), out var timestamp)); // its Basic Profile action is D
        Assert.False(timestamp.Bytes.Span.SequenceEqual(frameOrigin));
        AssertNoMarker(output);
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_overlay_plane_in_the_bits_above_high_bit_loses_its_bits_and_other_pixels_stay_bit_exact(bool embeddedOverlay)
    {
        // 16 × 16 CT, 12 bits stored: bit 12 carries an overlay plane (a block of "text"), bits 0–11 the image.
        const int Rows = 16, Columns = 16;
        var pixels = new byte[Rows * Columns * 2];
        for (int i = 0; i < Rows * Columns; i++)
        {
            int value = (i * 37) & 0x0FFF | (i % 5 == 0 ? 0x1000 : 0);
            pixels[2 * i] = (byte)value;
            pixels[2 * i + 1] = (byte)(value >> 8);
        }
        byte[][] overlayPlane = embeddedOverlay
            ? [Explicit(0x60000010, "US", [Rows, 0]), Explicit(0x60000011, "US", [Columns, 0]), Explicit(0x60000040, "CS", "G"),
               Explicit(0x60000050, "SS", [1, 0, 1, 0]), Explicit(0x60000100, "US", [16, 0]), Explicit(0x60000102, "US", [12, 0])]
            : [];
        byte[] input = File(ExplicitLittleEndian, [],
            [Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", SopUid), Explicit(0x00080060, "CS", "CT"),
            Explicit(0x00100010, "PN", "Ross^Ann"), Explicit(0x00100020, "LO", "PID9"),
            Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
            Explicit(0x00280002, "US", [1, 0]), Explicit(0x00280004, "CS", "MONOCHROME2"),
            Explicit(0x00280010, "US", [Rows, 0]), Explicit(0x00280011, "US", [Columns, 0]),
            Explicit(0x00280100, "US", [16, 0]), Explicit(0x00280101, "US", [12, 0]), Explicit(0x00280102, "US", [11, 0]), Explicit(0x00280103, "US", [0, 0]),
            .. overlayPlane,
            Explicit(0x7FE00010, "OW", pixels)]);
        byte[] output = await RunAsync(NewDeidentifier(new InMemoryMappingStore()), input);
        using var result = await DicomFile.OpenAsync(new MemoryStream(output));

        Assert.DoesNotContain(result.Dataset.Elements, element => element.Tag.Group == 0x6000);
        Assert.True(result.Dataset.TryGet<DicomValueElement>(DicomTag.PixelData, out var pixelData));
        byte[] expected = [.. pixels];
        for (int i = 1; embeddedOverlay && i < expected.Length; i += 2) expected[i] &= 0x0F;
        Assert.Equal(expected, pixelData.Bytes.ToArray());
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

    [Fact]
    public async Task An_already_deidentified_input_is_deidentified_again_and_reidentifies_to_the_file_as_it_arrived()
    {
        byte[] original = UnEncodedCt(ExplicitLittleEndian);
        var store = new InMemoryMappingStore();
        byte[] once = await RunAsync(NewDeidentifier(store), original);
        await Assert.ThrowsAsync<DeidentificationException>(() => RunAsync(NewDeidentifier(store), once));
        byte[] twice = await RunAsync(NewDeidentifier(store, allowDeidentified: true), once);

        var reidentifier = new Reidentifier(new FixedKey(Certificate.Value));
        using var back = await DicomFile.OpenAsync(new MemoryStream(twice));
        await reidentifier.ReidentifyAsync(back);
        using var first = await DicomFile.OpenAsync(new MemoryStream(once));
        Assert.Equal(Listing(first.Dataset), Listing(back.Dataset));
    }

    private static string Listing(DicomDataset dataset)
    {
        using var text = new StringWriter();
        DicomDump.Write(dataset, text, DicomCharacterSet.Default, 0);
        // Sequence length encoding may differ (the plaintext is written with undefined lengths, as gdcmanon's).
        return System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(text.ToString(), "(, | with )undefined length", ""), @"[ \t]+", " ");
    }

    private static IEnumerable<DicomSequence> FindAll(DicomDataset dataset, DicomTag tag)
    {
        foreach (var element in dataset.Elements)
        {
            if (element is not DicomSequence sequence) continue;
            if (sequence.Tag == tag) yield return sequence;
            foreach (var found in sequence.Items.SelectMany(item => FindAll(item, tag))) yield return found;
        }
    }

    private sealed class FixedCertificate(X509Certificate2 certificate) : ICertificateSource
    {
        public ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(X509CertificateLoader.LoadCertificate(certificate.RawData));
    }

    private sealed class FixedKey(X509Certificate2 certificate) : IDecryptionKeySource
    {
        public ValueTask<X509Certificate2> GetDecryptionCertificateAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(certificate);
    }
}
