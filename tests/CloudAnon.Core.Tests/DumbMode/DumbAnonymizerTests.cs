using System.Text;
using CloudAnon.Core.DumbMode;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Tests.DumbMode;

public sealed class DumbAnonymizerTests
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag OtherPatientIds = new(0x0010, 0x1000);
    private static readonly DicomTag Creator = new(0x0029, 0x0010);
    private static readonly DicomTag PrivateText = new(0x0029, 0x1008);

    private static DicomDataset Sample() => new(
    [
        DicomValueElement.FromString(PatientName, DicomVR.PN, "DOE^JANE"),
        DicomValueElement.FromString(new DicomTag(0x0010, 0x0020), DicomVR.LO, "ID42"),
        DicomValueElement.FromString(Creator, DicomVR.LO, "ACME HEADER"),
        DicomValueElement.FromString(PrivateText, DicomVR.CS, "SECRET"),
    ], undefinedLength: false);

    private static DumbEdit Edit(DumbAction action, string argument) =>
        DumbEdit.TryParse(action, argument, out var edit) ? edit! : throw new InvalidOperationException($"bad test argument {argument}");

    private static string? Text(DicomDataset dataset, DicomTag tag) =>
        dataset.Find(tag) is DicomValueElement value ? Encoding.ASCII.GetString(value.Bytes.Span).TrimEnd(' ', '\0') : null;

    [Fact]
    public void Empty_empties_a_present_attribute_and_inserts_an_absent_one_with_its_dictionary_vr()
    {
        var dataset = Sample();
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Empty, "10,10"), Edit(DumbAction.Empty, "10,1000")]);

        Assert.Equal("", Text(dataset, PatientName));
        var inserted = Assert.IsType<DicomValueElement>(dataset.Find(OtherPatientIds));
        Assert.Equal(DicomVR.LO, inserted.VR);
        Assert.Equal(0, inserted.Length);
    }

    [Fact]
    public void Clear_empties_only_attributes_that_are_present()
    {
        var dataset = Sample();
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Clear, "10,10"), Edit(DumbAction.Clear, "10,1000")]);

        Assert.Equal("", Text(dataset, PatientName));
        Assert.False(dataset.Contains(OtherPatientIds));
    }

    [Fact]
    public void Remove_removes_present_attributes_and_ignores_absent_ones()
    {
        var dataset = Sample();
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Remove, "10,20"), Edit(DumbAction.Remove, "10,1000")]);

        Assert.False(dataset.Contains(new DicomTag(0x0010, 0x0020)));
        Assert.Equal(3, dataset.Count);
    }

    [Theory]
    [InlineData("10,1030=10")]
    [InlineData("10,1030,10")]
    public void Replace_inserts_a_value_padded_to_even_length_in_both_gdcmanon_syntaxes(string argument)
    {
        var dataset = Sample();
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Replace, argument), Edit(DumbAction.Replace, "10,10=X")]);

        Assert.Equal("10", Text(dataset, new DicomTag(0x0010, 0x1030)));
        var name = Assert.IsType<DicomValueElement>(dataset.Find(PatientName));
        Assert.Equal("X ", Encoding.ASCII.GetString(name.Bytes.Span));
    }

    [Fact]
    public void Private_targets_resolve_through_the_creator_block_whatever_the_block_number()
    {
        var dataset = Sample();
        // The block sits at 0x10: "29,1008,ACME HEADER" and "29,08,ACME HEADER" both name (0029,1008).
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Clear, "29,1008,ACME HEADER")]);
        Assert.Equal("", Text(dataset, PrivateText));

        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Remove, "29,08,ACME HEADER")]);
        Assert.False(dataset.Contains(PrivateText));
        Assert.True(dataset.Contains(Creator));
    }

    [Fact]
    public void Private_edits_for_an_absent_creator_change_nothing_except_empty_which_reserves_a_block()
    {
        var dataset = Sample();
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Clear, "29,08,OTHER"), Edit(DumbAction.Remove, "29,08,OTHER")]);
        Assert.Equal(4, dataset.Count);

        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Empty, "29,50,OTHER")]);
        Assert.Equal("OTHER", Text(dataset, new DicomTag(0x0029, 0x0011)));
        var inserted = Assert.IsType<DicomValueElement>(dataset.Find(new DicomTag(0x0029, 0x1150)));
        Assert.Equal(DicomVR.UN, inserted.VR);
        Assert.Equal("SECRET", Text(dataset, PrivateText));
    }

    [Fact]
    public void Replace_refuses_binary_vrs_and_private_attributes_without_a_creator()
    {
        var rows = Assert.Throws<DumbEditException>(() => DumbAnonymizer.Apply(Sample(), [Edit(DumbAction.Replace, "28,10=7")]));
        Assert.Contains("(0028,0010)", rows.Message);
        Assert.Contains("VR US", rows.Message);

        Assert.Throws<DumbEditException>(() => DumbAnonymizer.Apply(Sample(), [Edit(DumbAction.Replace, "29,50,NOBODY=7")]));
    }

    [Fact]
    public void Replace_of_a_present_private_text_attribute_keeps_its_vr()
    {
        var dataset = Sample();
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Replace, "29,08,ACME HEADER=NEW")]);

        var element = Assert.IsType<DicomValueElement>(dataset.Find(PrivateText));
        Assert.Equal(DicomVR.CS, element.VR);
        Assert.Equal("NEW", Text(dataset, PrivateText));
    }

    [Fact]
    public void Messages_name_tags_never_values()
    {
        var dataset = Sample();
        var failure = Assert.Throws<DumbEditException>(() => DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Replace, "10,10=\u3042\u3044")]));
        Assert.DoesNotContain("\u3042", failure.Message);
        Assert.Contains("(0010,0010)", failure.Message);
    }

    [Fact]
    public void Empty_makes_a_sequence_empty()
    {
        var sequenceTag = new DicomTag(0x0008, 0x1140);
        var dataset = Sample();
        dataset.Set(new DicomSequence(sequenceTag, [Sample()]));

        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Empty, "8,1140")]);

        Assert.Empty(Assert.IsType<DicomSequence>(dataset.Find(sequenceTag)).Items);
    }

    [Theory]
    [InlineData(DumbAction.Empty, "10")]
    [InlineData(DumbAction.Empty, "10,zz")]
    [InlineData(DumbAction.Empty, "10,10000")]
    [InlineData(DumbAction.Empty, "(0010,0010)")]
    [InlineData(DumbAction.Remove, "10,10,")]
    [InlineData(DumbAction.Remove, "10,10,CREATOR")] // a creator needs an odd group
    [InlineData(DumbAction.Clear, "2,10")] // File Meta Information is not edited
    [InlineData(DumbAction.Replace, "10,10")]
    public void Bad_arguments_are_rejected(DumbAction action, string argument)
    {
        Assert.False(DumbEdit.TryParse(action, argument, out _));
    }

    [Fact]
    public void Edits_apply_grouped_by_action_as_gdcmanon_does()
    {
        var dataset = Sample();
        // gdcmanon empties before it removes: given in the other order, the attribute still ends up removed.
        DumbAnonymizer.Apply(dataset, [Edit(DumbAction.Remove, "10,1000"), Edit(DumbAction.Empty, "10,1000")]);

        Assert.False(dataset.Contains(OtherPatientIds));
    }
}
