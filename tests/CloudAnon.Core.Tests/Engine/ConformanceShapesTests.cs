using System.Text;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Where the attribute types of current PS3.3 editions, the conditions of Type 1C/2C attributes and the coding scheme of
/// a code change what the profile does. Synthetic studies written byte by byte; every output byte searched for the
/// markers, dciodvfy on input and output (no error the input did not have).
/// </summary>
public sealed class ConformanceShapesTests
{
    private const string RtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";
    private const string ComprehensiveSrStorage = "1.2.840.10008.5.1.4.1.1.88.33";
    private static readonly DicomTag OperatorsName = new(0x0008, 0x1070);
    private static readonly DicomTag ResponsiblePerson = new(0x0010, 0x2297);
    private static readonly DicomTag ResponsiblePersonRole = new(0x0010, 0x2298);
    private static readonly DicomTag ResponsibleOrganization = new(0x0010, 0x2299);
    private static readonly DicomTag PatientSexNeutered = new(0x0010, 0x2203);
    private static readonly DicomTag ContentSequence = new(0x0040, 0xA730);
    private static readonly DicomTag ConceptCodeSequence = new(0x0040, 0xA168);

    /// <summary>The patient, study and series attributes of every test file, in ascending order up to the Patient module's end.</summary>
    private static byte[][] Header(string sopClass, string modality, params byte[][] patientExtras) =>
    [
        Explicit(0x00080016, "UI", sopClass),
        Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.302"),
        Explicit(0x00080020, "DA", "20190304"),
        Explicit(0x00080030, "TM", "101010"),
        Explicit(0x00080050, "SH", "PHIMARKACC"),
        Explicit(0x00080060, "CS", modality),
        Explicit(0x00080070, "LO", "Vendor"),
        Explicit(0x00080090, "PN", "PHIMARK^REFERRING"),
        Explicit(0x00081070, "PN", "PHIMARK^OPERATOR"),
        Explicit(0x00100010, "PN", "PHIMARK^PATIENT"),
        Explicit(0x00100020, "LO", "PHIMARKPID"),
        Explicit(0x00100030, "DA", "19700101"),
        Explicit(0x00100040, "CS", "O"),
        .. patientExtras,
    ];

    private static byte[][] StudyAndSeries() =>
    [
        Explicit(0x0020000D, "UI", "1.2.826.0.1.3680043.10.999.300"),
        Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.301"),
        Explicit(0x00200010, "SH", "PHIMARKSID"),
        Explicit(0x00200011, "IS", "1"),
    ];

    /// <summary>An RT Structure Set with one ROI; the patient module's extras (species, responsible person, …) as given.</summary>
    private static byte[] RtStructureSet(params byte[][] patientExtras) => File("1.2.840.10008.1.2.1", [],
        [
            .. Header(RtStructureSetStorage, "RTSTRUCT", patientExtras),
            .. StudyAndSeries(),
            Explicit(0x30060002, "SH", "PHIMARK label"),
            Explicit(0x30060008, "DA", "20190304"),
            Explicit(0x30060009, "TM", "101010"),
            Explicit(0x30060020, "SQ", Items(Join(
                Explicit(0x30060022, "IS", "1"),
                Explicit(0x30060024, "UI", "1.2.826.0.1.3680043.10.999.303"),
                Explicit(0x30060026, "LO", "PHIMARK ROI"),
                Explicit(0x30060036, "CS", "MANUAL")))),
            Explicit(0x30060039, "SQ", Items(Join(
                Explicit(0x3006002A, "IS", "255\\0\\0"),
                Explicit(0x30060084, "IS", "1")))),
            Explicit(0x30060080, "SQ", Items(Join(
                Explicit(0x30060082, "IS", "1"),
                Explicit(0x30060084, "IS", "1"),
                Explicit(0x300600A4, "CS", "ORGAN"),
                Explicit(0x300600A6, "PN", "PHIMARK^INTERPRETER")))),
        ]);

    private static readonly byte[][] ResponsibleParty =
    [
        Explicit(0x00102203, "CS", "ALTERED"),
        Explicit(0x00102297, "PN", "PHIMARK^OWNER"),
        Explicit(0x00102298, "CS", "OWNER"),
        Explicit(0x00102299, "LO", "PHIMARK Kennels"),
    ];

    private static async Task<(DicomDataset Dataset, byte[] Output)> RunAsync(byte[] input, ProfileOptions options = ProfileOptions.None)
    {
        var file = await EngineHarness.ReadAsync(input);
        var (_, output) = await new EngineHarness(options).RunAsync(file);
        Assert.False(PlantedPhi.ContainsMarker(output), "a planted marker is readable in the output");
        return (file.Dataset, output);
    }

    private static void AssertNoNewDciodvfyError(byte[] input, byte[] output)
    {
        var before = DciodvfyComparison.Errors(input, deflated: false);
        var after = DciodvfyComparison.Errors(output, deflated: false);
        var added = after.Except(before).ToList();
        Assert.True(added.Count == 0, "new dciodvfy errors:\n" + string.Join('\n', added));
    }

    private static bool IsEmpty(DicomDataset dataset, DicomTag tag) => dataset.Find(tag) is DicomValueElement { Length: 0 };

    [Fact]
    public async Task Operators_name_of_an_rt_structure_set_is_emptied_not_removed_as_type_2_of_the_rt_series_module()
    {
        byte[] input = RtStructureSet();
        var (dataset, output) = await RunAsync(input);

        Assert.True(IsEmpty(dataset, OperatorsName), "Operators' Name is Type 2 in the RT Series module of current editions");
        Assert.Equal(AttributeType.Type2, IodAttributeTypes.TypeOf(RtStructureSetStorage, [], OperatorsName));
        var errors = DciodvfyComparison.Errors(output, deflated: false);
        Assert.DoesNotContain(errors, e => e.Contains("<OperatorsName>", StringComparison.Ordinal));
        AssertNoNewDciodvfyError(input, output);
    }

    [Fact]
    public async Task Responsible_person_and_organization_of_a_human_patient_are_removed_with_the_role_and_neutered_status()
    {
        byte[] input = RtStructureSet(ResponsibleParty);
        var (dataset, output) = await RunAsync(input);

        // Type 2C "Required if the Patient is an animal. May be present otherwise": no species, no animal, so X applies.
        Assert.False(dataset.Contains(ResponsiblePerson));
        Assert.False(dataset.Contains(ResponsibleOrganization));
        Assert.False(dataset.Contains(ResponsiblePersonRole));
        Assert.False(dataset.Contains(PatientSexNeutered));
        AssertNoNewDciodvfyError(input, output);
    }

    [Fact]
    public async Task Responsible_person_and_organization_of_a_veterinary_patient_are_emptied_as_their_condition_holds()
    {
        byte[] input = RtStructureSet([
            Explicit(0x00102201, "LO", "Canine species"),
            Explicit(0x00102292, "LO", "Beagle"),
            Explicit(0x00102293, "SQ", []),
            Explicit(0x00102294, "SQ", []),
            .. ResponsibleParty]);
        var (dataset, output) = await RunAsync(input);

        Assert.True(IsEmpty(dataset, ResponsiblePerson), "Responsible Person is Type 2 for an animal");
        Assert.True(IsEmpty(dataset, ResponsibleOrganization), "Responsible Organization is Type 2 for an animal");
        Assert.True(IsEmpty(dataset, PatientSexNeutered), "Patient's Sex Neutered is Type 2 for an animal");
        // Responsible Person Role is 1C on Responsible Person having a value: it goes with the emptied name.
        Assert.False(dataset.Contains(ResponsiblePersonRole));
        Assert.Contains("Canine species", Encoding.ASCII.GetString(output), StringComparison.Ordinal);
        AssertNoNewDciodvfyError(input, output);
    }

    private static byte[] Code(string value, string scheme, string meaning) => Join(
        Explicit(0x00080100, "SH", value), Explicit(0x00080102, "SH", scheme), Explicit(0x00080104, "LO", meaning));

    private static byte[] CodeItem(string value, string scheme, string meaning) => Join(
        Explicit(0x0040A010, "CS", "CONTAINS"),
        Explicit(0x0040A040, "CS", "CODE"),
        Explicit(0x0040A043, "SQ", Items(Code("121071", "DCM", "Finding"))),
        Explicit(0x0040A168, "SQ", Items(Code(value, scheme, meaning))));

    /// <summary>A Comprehensive SR whose CODE content items hold codes of a standard scheme and of local ones ("99…", "L", a private designator).</summary>
    private static byte[] StructuredReport() => File("1.2.840.10008.1.2.1", [],
        [
            .. Header(ComprehensiveSrStorage, "SR"),
            .. StudyAndSeries(),
            Explicit(0x00200013, "IS", "1"),
            Explicit(0x0040A040, "CS", "CONTAINER"),
            Explicit(0x0040A043, "SQ", Items(Code("126000", "DCM", "Imaging Measurement Report"))),
            Explicit(0x0040A050, "CS", "SEPARATE"),
            Explicit(0x0040A372, "SQ", []),
            Explicit(0x0040A491, "CS", "COMPLETE"),
            Explicit(0x0040A493, "CS", "UNVERIFIED"),
            Explicit(0x0040A730, "SQ", Items(
                CodeItem("108369006", "SCT", "Neoplasm"),
                CodeItem("PHIMARKCV", "99LOCAL", "PHIMARK seen by Dr Smith"),
                CodeItem("PHIMARKL", "L", "PHIMARK local meaning"),
                CodeItem("X1", "ACMEPRIV", "PHIMARK private scheme meaning"))),
        ]);

    [Theory]
    [InlineData(ProfileOptions.None)]
    [InlineData(ProfileOptions.CleanStructuredContent)]
    public async Task Codes_of_local_schemes_in_sr_content_get_dummies_and_standard_codes_stay(ProfileOptions options)
    {
        byte[] input = StructuredReport();
        var (dataset, output) = await RunAsync(input, options);

        var codes = ((DicomSequence)dataset.Find(ContentSequence)!).Items
            .Select(item => ((DicomSequence)item.Find(ConceptCodeSequence)!).Items.Single())
            .Select(code => (Value: code.GetAsciiString(new(0x0008, 0x0100)), Scheme: code.GetAsciiString(new(0x0008, 0x0102)), Meaning: code.GetAsciiString(new(0x0008, 0x0104))))
            .ToList();
        Assert.Equal(("108369006", "SCT", "Neoplasm"), codes[0]);
        Assert.Equal(("ANONYMIZED", "99LOCAL", "ANONYMIZED"), codes[1]);
        Assert.Equal(("ANONYMIZED", "L", "ANONYMIZED"), codes[2]);
        Assert.Equal(("ANONYMIZED", "ACMEPRIV", "ANONYMIZED"), codes[3]);
        // dcmdump, not our codec, reads the standard concept names and the standard code in the output.
        var dump = ExternalTool.RunOnBytes(output, "dcmdump", "-q");
        Assert.True(dump.ExitCode == 0, dump.StandardError);
        Assert.Contains("[Neoplasm]", dump.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[Imaging Measurement Report]", dump.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(4, dump.StandardOutput.Split("[Finding]").Length - 1);
        AssertNoNewDciodvfyError(input, output);
    }
}
