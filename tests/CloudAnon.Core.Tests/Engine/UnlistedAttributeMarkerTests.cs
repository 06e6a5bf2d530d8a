using System.Buffers.Binary;
using System.Text;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Identifying values in attributes Table E.1-1 has no row for, planted where the systems that write them put them and
/// written byte by byte (one as UN, items of defined length): an encapsulated PDF and CDA with their titles, issuers,
/// orders, worklist comments and alternative-calendar dates; an ECG's annotation text; a presentation state's
/// description; a Key Object Selection manifest whose retrieve URLs and URIs carry the original UIDs, the patient ID
/// and the archive's host. No marker, original UID, patient ID or host may be in any output byte, by default and with
/// the clean options; retain-unlisted-attributes keeps them (the table alone); dciodvfy finds no error the input did not have.
/// </summary>
public sealed class UnlistedAttributeMarkerTests
{
    private const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    private const string StudyUid = "1.2.826.0.1.3680043.10.999.19.1";
    private const string SeriesUid = "1.2.826.0.1.3680043.10.999.19.2";
    private const string SopUid = "1.2.826.0.1.3680043.10.999.19.3";
    private const string ReferencedSeriesUid = "1.2.826.0.1.3680043.10.999.19.4";
    private const string ReferencedSopUid = "1.2.826.0.1.3680043.10.999.19.5";
    private const string RetrieveLocationUid = "1.2.826.0.1.3680043.10.999.19.6";
    private const string PatientId = "PHIMARKPID77";
    private const string ArchiveHost = "pacs.phimark-hospital.example";
    private static readonly string[] Originals = [StudyUid, SeriesUid, SopUid, ReferencedSeriesUid, ReferencedSopUid, RetrieveLocationUid, "phimark-hospital"];

    private const ProfileOptions CleanOptions = ProfileOptions.CleanDescriptors | ProfileOptions.CleanStructuredContent | ProfileOptions.CleanGraphics;

    public static TheoryData<string> Files() => ["pdf", "cda", "ecg", "gsps", "kos"];

    /// <summary>The file of <paramref name="kind"/>, its elements in ascending order.</summary>
    private static byte[] Planted(string kind) => kind switch
    {
        "pdf" => Instance("1.2.840.10008.5.1.4.1.1.104.1", "DOC",
            Explicit(0x00080051, "SQ", Items(Join(
                Explicit(0x00400031, "UT", "PHIMARK ACCESSION NAMESPACE"), Explicit(0x00400032, "UT", "PHIMARK.ACCESSION.UNIVERSAL"), Explicit(0x00400033, "CS", "DNS")))),
            Explicit(0x00100024, "SQ", Items(Join(
                Explicit(0x00100022, "CS", "MR"), Explicit(0x00400032, "UT", "PHIMARK.PATIENTID.ISSUER"), Explicit(0x00400033, "CS", "ISO")))),
            Explicit(0x00100033, "LO", "PHIMARK 1402/07/14 SH"),
            Explicit(0x00100034, "LO", "PHIMARK 1445/03/02 AH"),
            Explicit(0x00400026, "SQ", Items(Join(Explicit(0x00400031, "UT", "PHIMARK PLACER NAMESPACE"), Explicit(0x00400032, "UT", "PHIMARK.PLACER")))),
            Explicit(0x00400027, "SQ", Items(Join(Explicit(0x00400031, "UT", "PHIMARK FILLER NAMESPACE"), Explicit(0x00400032, "UT", "PHIMARK.FILLER")))),
            Explicit(0x00400100, "SQ", Items(Join(
                Explicit(0x00080060, "CS", "DOC"), Explicit(0x00400009, "SH", "SPS1"),
                Explicit(0x00400400, "LT", "PHIMARK call Mrs Example at home before the exam")))),
            // Document Title as UN: a system that did not know the tag.
            Unknown(0x00420010, "PHIMARK^PATIENT discharge letter"),
            Explicit(0x00420012, "LO", "application/pdf"),
            Explicit(0x00880130, "SH", "PHIMARKFSID")),
        "cda" => Instance("1.2.840.10008.5.1.4.1.1.104.2", "DOC",
            Explicit(0x0040E001, "ST", "PHIMARK.HL7.ROOT^PHIMARKEXT"),
            Explicit(0x00420010, "ST", "PHIMARK CDA of the patient"),
            Explicit(0x00420012, "LO", "text/XML")),
        "ecg" => Instance("1.2.840.10008.5.1.4.1.1.9.1.1", "ECG",
            Explicit(0x0040B020, "SQ", Items(
                Join(Explicit(0x00700006, "ST", "Confirmed by PHIMARK^CARDIOLOGIST, MD"), Explicit(0x0040A0B0, "US", [1, 0, 1, 0]), Explicit(0x0040A180, "US", [1, 0])),
                Join(Explicit(0x00700006, "ST", "Sinus rhythm PHIMARK"), Explicit(0x0040A0B0, "US", [1, 0, 1, 0]), Explicit(0x0040A180, "US", [1, 0]))))),
        "gsps" => Instance("1.2.840.10008.5.1.4.1.1.11.1", "PR",
            Explicit(0x00700080, "CS", "GSPS1"),
            Explicit(0x00700081, "LO", "PHIMARK shown to Dr Example")),
        "kos" => Instance("1.2.840.10008.5.1.4.1.1.88.59", "KO", Evidence()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Current Requested Procedure Evidence as an XDS-I manifest writes it: retrieve URL, URI and location with the original UIDs, the patient ID and the archive's host.</summary>
    private static byte[] Evidence() =>
        Explicit(0x0040A375, "SQ", Items(Join(
            Explicit(0x00081115, "SQ", Items(Join(
                Explicit(0x00081190, "UR", $"https://{ArchiveHost}/dicom-web/studies/{StudyUid}/series/{ReferencedSeriesUid}?PatientID={PatientId}"),
                Explicit(0x00081199, "SQ", Items(Join(
                    Explicit(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00081155, "UI", ReferencedSopUid),
                    Explicit(0x0040E010, "UR", $"https://{ArchiveHost}/wado?requestType=WADO&studyUID={StudyUid}&seriesUID={ReferencedSeriesUid}&objectUID={ReferencedSopUid}&patientID={PatientId}")))),
                Explicit(0x0020000E, "UI", ReferencedSeriesUid),
                Explicit(0x0040E011, "UI", RetrieveLocationUid)))),
            Explicit(0x0020000D, "UI", StudyUid))));

    /// <summary>An instance of <paramref name="sopClass"/> with the patient, study and series attributes and <paramref name="elements"/>, sorted by tag.</summary>
    private static byte[] Instance(string sopClass, string modality, params byte[][] elements)
    {
        byte[][] common =
        [
            Explicit(0x00080016, "UI", sopClass), Explicit(0x00080018, "UI", SopUid), Explicit(0x00080020, "DA", "20230405"),
            Explicit(0x00080050, "SH", "PHIMARKACC"), Explicit(0x00080060, "CS", modality), Explicit(0x00100010, "PN", "PHIMARK^PATIENT"),
            Explicit(0x00100020, "LO", PatientId), Explicit(0x0020000D, "UI", StudyUid), Explicit(0x0020000E, "UI", SeriesUid),
        ];
        return File(ExplicitLittleEndian, [], [.. common.Concat(elements).OrderBy(TagOf)]);
    }

    private static uint TagOf(byte[] element) =>
        (uint)BinaryPrimitives.ReadUInt16LittleEndian(element) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(element.AsSpan(2));

    private static async Task<byte[]> RunAsync(byte[] input, DeidentificationOptions options)
    {
        using var file = await EngineHarness.ReadAsync(input);
        return (await new EngineHarness(options).RunAsync(file)).Output;
    }

    private static void AssertNothingIdentifying(byte[] output)
    {
        Assert.False(PlantedPhi.ContainsMarker(output), "a planted marker is readable in the output");
        string latin1 = Encoding.Latin1.GetString(output);
        foreach (string original in Originals) Assert.DoesNotContain(original, latin1, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task No_marker_original_uid_patient_id_or_host_is_in_any_output_byte_by_default_or_with_the_clean_options(string kind)
    {
        byte[] input = Planted(kind);
        Assert.True(PlantedPhi.ContainsMarker(input));

        AssertNothingIdentifying(await RunAsync(input, new DeidentificationOptions()));
        AssertNothingIdentifying(await RunAsync(input, new DeidentificationOptions { ProfileOptions = CleanOptions }));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Retain_unlisted_attributes_keeps_what_the_table_alone_keeps(string kind)
    {
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions(), "retain-unlisted-attributes", out var options));
        byte[] output = await RunAsync(Planted(kind), options);
        Assert.True(PlantedPhi.ContainsMarker(output), "the unlisted attributes' markers are kept under retain-unlisted-attributes");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Dciodvfy_reports_no_error_the_input_did_not_have(string kind)
    {
        byte[] input = Planted(kind);
        byte[] output = await RunAsync(input, new DeidentificationOptions());
        var newErrors = DciodvfyComparison.Errors(output, deflated: false).Except(DciodvfyComparison.Errors(input, deflated: false)).ToList();
        Assert.True(newErrors.Count == 0, string.Join('\n', newErrors));
    }

    [Fact]
    public async Task Each_unlisted_attribute_is_removed_emptied_or_replaced_by_its_type_and_the_kept_ones_stay()
    {
        using var pdf = await EngineHarness.ReadAsync(await RunAsync(Planted("pdf"), new DeidentificationOptions()));
        var dataset = pdf.Dataset;
        // Type 3 or absent from the IOD: removed.
        foreach (var (group, element) in new (ushort, ushort)[] { (0x0008, 0x0051), (0x0010, 0x0024), (0x0010, 0x0033), (0x0010, 0x0034), (0x0040, 0x0026), (0x0040, 0x0027), (0x0088, 0x0130) })
        {
            Assert.False(dataset.Contains(new DicomTag(group, element)), $"({group:X4},{element:X4}) was kept");
        }
        // Document Title is Type 2 in the Encapsulated Document module: present, empty, with its dictionary VR.
        var title = Assert.IsType<DicomValueElement>(dataset.Find(new DicomTag(0x0042, 0x0010)));
        Assert.Equal((DicomVR.ST, 0), (title.VR, title.Length));
        // Kept by the allow-list: the MIME type; inside the walked Scheduled Procedure Step Sequence, the modality stays and the comments go.
        Assert.Equal("application/pdf", dataset.GetAsciiString(new DicomTag(0x0042, 0x0012)));
        var step = Assert.Single(Assert.IsType<DicomSequence>(dataset.Find(new DicomTag(0x0040, 0x0100))).Items);
        Assert.Equal("DOC", step.GetAsciiString(new DicomTag(0x0008, 0x0060)));
        Assert.False(step.Contains(new DicomTag(0x0040, 0x0400)));
    }

    [Fact]
    public async Task A_url_the_iod_may_require_is_rewritten_on_no_host_from_the_replaced_uids()
    {
        // A SOP class the type table does not know (a vendor's own): its evidence's URLs may be required, so they are rewritten, not removed.
        byte[] output = await RunAsync(Instance("1.2.826.0.1.3680043.10.999.19.99", "SR", Evidence()), new DeidentificationOptions());
        AssertNothingIdentifying(output);

        using var result = await EngineHarness.ReadAsync(output);
        var evidence = Assert.IsType<DicomSequence>(result.Dataset.Find(new DicomTag(0x0040, 0xA375))).Items[0];
        var series = Assert.IsType<DicomSequence>(evidence.Find(new DicomTag(0x0008, 0x1115))).Items[0];
        var instance = Assert.IsType<DicomSequence>(series.Find(new DicomTag(0x0008, 0x1199))).Items[0];
        string study = evidence.GetAsciiString(DicomTag.StudyInstanceUid)!, seriesUid = series.GetAsciiString(DicomTag.SeriesInstanceUid)!;
        string sop = instance.GetAsciiString(new DicomTag(0x0008, 0x1155))!;
        Assert.Equal($"https://deidentified.invalid/studies/{study}/series/{seriesUid}", series.GetAsciiString(new DicomTag(0x0008, 0x1190)));
        Assert.Equal($"https://deidentified.invalid/wado?requestType=WADO&studyUID={study}&seriesUID={seriesUid}&objectUID={sop}",
            instance.GetAsciiString(new DicomTag(0x0040, 0xE010)));
        Assert.StartsWith("2.25.", series.GetAsciiString(new DicomTag(0x0040, 0xE011)));
    }
}
