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

/// <summary>Values sent as UN (explicit VR files from systems that did not know a tag) are read as the dictionary says, at every depth, before the profile decides. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class UnknownValueTests
{
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
}
