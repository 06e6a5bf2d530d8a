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

/// <summary>A D on an identification code sequence gives one item with a dummy code of the local scheme. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class IdentificationCodeTests
{
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
}
