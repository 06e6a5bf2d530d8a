using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Tests.Profile;

/// <summary>Entries checked against PS3.3's module tables (the tables cited are those of the 2008 edition; IODs' modules those of 2026b).</summary>
public class IodAttributeTypesTests
{
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    private const string ComprehensiveSrStorage = "1.2.840.10008.5.1.4.1.1.88.33";
    private const string HangingProtocolStorage = "1.2.840.10008.5.1.4.38.1";

    private static readonly DicomTag ReferencedStudySequence = new(0x0008, 0x1110);
    private static readonly DicomTag ReferencedSopInstanceUid = new(0x0008, 0x1155);
    private static readonly DicomTag OperatorIdentificationSequence = new(0x0008, 0x1072);
    private static readonly DicomTag PersonIdentificationCodeSequence = new(0x0040, 0x1101);
    private static readonly DicomTag ContentSequence = new(0x0040, 0xA730);

    [Theory]
    [InlineData(0x0010_0010u, AttributeType.Type2)] // Patient's Name: Patient Module, Table C.7-1
    [InlineData(0x0010_2297u, AttributeType.Type2C)] // Responsible Person: Patient Module, Table C.7-1
    [InlineData(0x0010_2298u, AttributeType.Type1C)] // Responsible Person Role: Patient Module, Table C.7-1
    [InlineData(0x0020_000Du, AttributeType.Type1)] // Study Instance UID: General Study Module, Table C.7-3
    [InlineData(0x0008_1110u, AttributeType.Type3)] // Referenced Study Sequence: General Study Module, Table C.7-3
    [InlineData(0x0008_0080u, AttributeType.Type3)] // Institution Name: General Equipment Module, Table C.7-8
    [InlineData(0x0008_0023u, AttributeType.Type2C)] // Content Date: General Image Module, Table C.7-9
    [InlineData(0x0008_0022u, AttributeType.Type3)] // Acquisition Date: General Image Module, Table C.7-9
    [InlineData(0x0020_0052u, AttributeType.Type1)] // Frame of Reference UID: Frame of Reference Module, Table C.7-6
    [InlineData(0x0008_0018u, AttributeType.Type1)] // SOP Instance UID: SOP Common Module, Table C.12-1
    [InlineData(0x0008_0008u, AttributeType.Type1)] // Image Type: 3 in General Image (C.7-9), 1 in CT Image (C.8-3): the stronger wins
    [InlineData(0x6002_0010u, AttributeType.Type1)] // Overlay Rows (60xx,0010) of the second overlay: Overlay Plane Module, Table C.9-2
    public void Ct_image_top_level_types_are_those_of_ps33(uint tag, AttributeType expected)
    {
        Assert.Equal(expected, IodAttributeTypes.TypeOf(CtImageStorage, [], new DicomTag(tag)));
    }

    [Theory]
    [InlineData(0x0008_1155u)] // Referenced SOP Instance UID: only inside reference sequences
    [InlineData(0x0028_3000u)] // Modality LUT Sequence: the CT IOD (Table A.3-1) has no Modality LUT Module
    [InlineData(0x0018_9004u)] // Content Qualification: Enhanced CT Image Module (Table C.8-114), not CT Image
    [InlineData(0x6001_0010u)] // a private tag in an odd group next to the overlays
    public void Attributes_outside_the_ct_image_iod_have_no_type(uint tag)
    {
        Assert.Null(IodAttributeTypes.TypeOf(CtImageStorage, [], new DicomTag(tag)));
    }

    [Theory]
    [InlineData("1.2.840.10008.5.1.4.1.1.2.1", 0x0018_9004u, AttributeType.Type1)] // Enhanced CT: Content Qualification, Enhanced CT Image Module (C.8-114)
    [InlineData("1.2.840.10008.5.1.4.1.1.4.1", 0x0008_9208u, AttributeType.Type1)] // Enhanced MR: Complex Image Component, MR Image Description Macro (C.8-82)
    [InlineData("1.2.840.10008.5.1.4.1.1.4", 0x0018_0087u, AttributeType.Type3)] // MR: Magnetic Field Strength, MR Image Module (C.8-4)
    [InlineData("1.2.840.10008.5.1.4.1.1.128", 0x0054_1001u, AttributeType.Type1)] // PET: Units, PET Series Module (C.8-60)
    [InlineData("1.2.840.10008.5.1.4.1.1.7", 0x0008_0064u, AttributeType.Type1)] // Secondary Capture: Conversion Type, SC Equipment Module (C.8-24)
    [InlineData("1.2.840.10008.5.1.4.1.1.481.3", 0x3006_0002u, AttributeType.Type1)] // RT Structure Set: Structure Set Label, Structure Set Module (C.8-41)
    [InlineData("1.2.840.10008.5.1.4.1.1.88.59", 0x0040_A375u, AttributeType.Type1)] // Key Object Selection: Current Requested Procedure Evidence Sequence, Key Object Document Module (C.17.6-2)
    [InlineData("1.2.840.10008.5.1.4.1.1.88.33", 0x0040_A375u, AttributeType.Type1C)] // Comprehensive SR: the same, SR Document General Module (C.17-2)
    public void Other_iods_have_their_modules_attributes(string sopClassUid, uint tag, AttributeType expected)
    {
        Assert.Equal(expected, IodAttributeTypes.TypeOf(sopClassUid, [], new DicomTag(tag)));
    }

    [Fact]
    public void Nested_attributes_are_keyed_by_their_sequence_path()
    {
        // SOP Instance Reference Macro (Table 10-11) inside Referenced Study Sequence (General Study, Table C.7-3).
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(CtImageStorage, [ReferencedStudySequence], ReferencedSopInstanceUid));
        Assert.Null(IodAttributeTypes.TypeOf(CtImageStorage, [], ReferencedSopInstanceUid));
        // Person Identification Macro (Table 10-1) in Operator Identification Sequence (General Series, Table C.7-5a),
        // and the Code Sequence Macro (Table 8.8-1) within it.
        Assert.Equal(AttributeType.Type3, IodAttributeTypes.TypeOf(CtImageStorage, [], OperatorIdentificationSequence));
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(CtImageStorage, [OperatorIdentificationSequence], PersonIdentificationCodeSequence));
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(
            CtImageStorage, [OperatorIdentificationSequence, PersonIdentificationCodeSequence], new DicomTag(0x0008, 0x0100)));
        // A path through an attribute that is not a sequence, or through the wrong sequence, has nothing.
        Assert.Null(IodAttributeTypes.TypeOf(CtImageStorage, [new DicomTag(0x0010, 0x0010)], ReferencedSopInstanceUid));
        Assert.Null(IodAttributeTypes.TypeOf(CtImageStorage, [OperatorIdentificationSequence], ReferencedSopInstanceUid));
    }

    [Fact]
    public void Sr_content_trees_have_types_below_the_first_level()
    {
        // Document Relationship Macro (Table C.17-6) includes itself in Content Sequence; Document Content Macro
        // (Table C.17-5) gives every item a Value Type (Type 1) and a DateTime (0040,A120) (Type 1C).
        var dateTime = new DicomTag(0x0040, 0xA120);
        Assert.Equal(AttributeType.Type1C, IodAttributeTypes.TypeOf(ComprehensiveSrStorage, [], ContentSequence));
        Assert.Equal(AttributeType.Type1C, IodAttributeTypes.TypeOf(ComprehensiveSrStorage, [ContentSequence], dateTime));
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(
            ComprehensiveSrStorage, [ContentSequence, ContentSequence, ContentSequence], new DicomTag(0x0040, 0xA040)));
        Assert.Equal(AttributeType.Type1C, IodAttributeTypes.TypeOf(
            ComprehensiveSrStorage, [ContentSequence, ContentSequence, ContentSequence, ContentSequence], dateTime));
    }

    [Fact]
    public void Functional_group_items_have_the_functional_group_macros()
    {
        const string enhancedCtImageStorage = "1.2.840.10008.5.1.4.1.1.2.1";
        var perFrame = new DicomTag(0x5200, 0x9230);
        var shared = new DicomTag(0x5200, 0x9229);
        // Frame Content Macro (Table C.7.6.16-3): Frame Content Sequence 1, Frame Acquisition DateTime 1C.
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(enhancedCtImageStorage, [perFrame], new DicomTag(0x0020, 0x9111)));
        Assert.Equal(AttributeType.Type1C, IodAttributeTypes.TypeOf(enhancedCtImageStorage, [perFrame, new DicomTag(0x0020, 0x9111)], new DicomTag(0x0018, 0x9074)));
        // Derivation Image Macro (Table C.7.6.16-7): Derivation Image Sequence 2 > Source Image Sequence 2.
        Assert.Equal(AttributeType.Type2, IodAttributeTypes.TypeOf(enhancedCtImageStorage, [shared, new DicomTag(0x0008, 0x9124)], new DicomTag(0x0008, 0x2112)));
        // CT Exposure Macro (Table C.8-124), the CT's own.
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(enhancedCtImageStorage, [shared], new DicomTag(0x0018, 0x9321)));
        // Not a functional group: an attribute of the top level.
        Assert.Null(IodAttributeTypes.TypeOf(enhancedCtImageStorage, [perFrame], new DicomTag(0x0010, 0x0010)));
    }

    [Fact]
    public void Iods_have_the_modules_of_the_current_edition()
    {
        // Common Instance Reference (C.12.2) joined the CT Image IOD after 2008: Referenced Series Sequence is in it
        // (1C in the standard, 1 in GDCM's extract of that module).
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(CtImageStorage, [], new DicomTag(0x0008, 0x1115)));
        // Frame of Reference joined the RT Structure Set IOD; Operators' Name is Type 2 in RT Series (a reviewed override).
        const string rtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";
        Assert.Equal(AttributeType.Type1, IodAttributeTypes.TypeOf(rtStructureSetStorage, [], new DicomTag(0x0020, 0x0052)));
        Assert.Equal(AttributeType.Type2, IodAttributeTypes.TypeOf(rtStructureSetStorage, [], new DicomTag(0x0008, 0x1070)));
        // Their new modules without a 2008 table (General Reference, Specimen, …) are reviewed: the IODs are typed.
        Assert.False(IodAttributeTypes.ForSopClass(CtImageStorage).HasUntypedModules);
        Assert.False(IodAttributeTypes.ForSopClass(rtStructureSetStorage).HasUntypedModules);
    }

    [Fact]
    public void A_sop_class_newer_than_2008_gets_its_current_iod_with_untyped_modules()
    {
        // Enhanced PET Image Storage: its IOD's Patient, General Study, Enhanced General Equipment … modules are typed,
        // its Enhanced PET Series, Image, Isotope … modules (no 2008 table) are not.
        var table = IodAttributeTypes.ForSopClass("1.2.840.10008.5.1.4.1.1.130");
        Assert.Equal("enhanced-pet-image", table.Name);
        Assert.True(table.HasUntypedModules);
        Assert.Equal(AttributeType.Type2, table.TypeOf([], new DicomTag(0x0010, 0x0010)));
        Assert.Equal(AttributeType.Type1, table.TypeOf([], new DicomTag(0x0008, 0x0070))); // Manufacturer: Enhanced General Equipment
    }

    [Theory]
    [InlineData("1.2.3.4.5")]
    [InlineData("")]
    [InlineData(null)]
    public void Sop_classes_without_an_iod_get_the_common_modules(string? sopClassUid)
    {
        var table = IodAttributeTypes.ForSopClass(sopClassUid);
        Assert.True(table.HasUntypedModules);
        Assert.Equal("common modules", table.Name);
        Assert.Equal(AttributeType.Type2, table.TypeOf([], new DicomTag(0x0010, 0x0010))); // Patient's Name: Patient
        Assert.Equal(AttributeType.Type1, table.TypeOf([], new DicomTag(0x0020, 0x000D))); // Study Instance UID: General Study
        Assert.Equal(AttributeType.Type3, table.TypeOf([], new DicomTag(0x0010, 0x1010))); // Patient's Age: Patient Study
        Assert.Equal(AttributeType.Type1, table.TypeOf([], new DicomTag(0x0008, 0x0060))); // Modality: General Series
        Assert.Equal(AttributeType.Type2, table.TypeOf([], new DicomTag(0x0008, 0x0070))); // Manufacturer: General Equipment
        Assert.Equal(AttributeType.Type1, table.TypeOf([], new DicomTag(0x0008, 0x0016))); // SOP Class UID: SOP Common
        Assert.Equal(AttributeType.Type1, table.TypeOf([ReferencedStudySequence], ReferencedSopInstanceUid));
        // Not in the common modules: Frame of Reference UID, Content Date (General Image).
        Assert.Null(table.TypeOf([], new DicomTag(0x0020, 0x0052)));
        Assert.Null(table.TypeOf([], new DicomTag(0x0008, 0x0023)));
    }

    [Fact]
    public void A_sop_class_uid_with_its_padding_finds_its_iod()
    {
        var table = IodAttributeTypes.ForSopClass(CtImageStorage + "\0");
        Assert.False(table.HasUntypedModules);
        Assert.Equal("CT Image", table.Name);
        Assert.Same(table, IodAttributeTypes.ForSopClass(CtImageStorage));
    }

    [Fact]
    public void Every_iod_builds_and_has_the_sop_common_module()
    {
        // Media Storage Directory Storage (a DICOMDIR's Basic Directory IOD) has no SOP Common module.
        var uids = IodAttributeTypes.SopClassUids.Where(uid => uid != "1.2.840.10008.1.3.10").ToList();
        Assert.True(uids.Count >= 70, $"{uids.Count} SOP classes");
        var lacking = uids.Where(uid =>
            IodAttributeTypes.TypeOf(uid, [], new DicomTag(0x0008, 0x0016)) != AttributeType.Type1
            || IodAttributeTypes.TypeOf(uid, [], new DicomTag(0x0008, 0x0018)) != AttributeType.Type1).ToList();
        Assert.Empty(lacking);
        // Hanging Protocol (A.44) is no patient's data: SOP Common and its own modules only.
        Assert.Null(IodAttributeTypes.TypeOf(HangingProtocolStorage, [], new DicomTag(0x0010, 0x0010)));
    }
}
