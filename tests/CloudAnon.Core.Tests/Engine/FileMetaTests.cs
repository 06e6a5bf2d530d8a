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

/// <summary>The File Meta Information keeps only what a reader needs, however many meta groups a file carries. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class FileMetaTests
{
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
}
