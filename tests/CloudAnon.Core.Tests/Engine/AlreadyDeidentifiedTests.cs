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

/// <summary>Inputs that arrive de-identified. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class AlreadyDeidentifiedTests
{
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
}
