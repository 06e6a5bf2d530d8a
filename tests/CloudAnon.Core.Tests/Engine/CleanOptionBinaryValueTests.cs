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

/// <summary>A C on bytes the cleaner cannot read acts as the Basic Profile. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class CleanOptionBinaryValueTests
{
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
}
