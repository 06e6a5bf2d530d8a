using CloudAnon.TestData;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>Orthanc's DICOMweb client (Debian orthanc + orthanc-dicomweb) with the gateway as its DICOMweb server.</summary>
public sealed class StowOrthancTests
{
    [Fact]
    public async Task OrthancStow_ToTheGateway_LandsEveryInstanceAsOrthancHoldsIt()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await using var stow = await gateway.StartStowAsync();
        await using var orthanc = await OrthancServer.StartAsync(dicomWebServers: new Dictionary<string, Uri> { ["cloudanon"] = stow.BaseAddress });
        var files = new[] { "ts/explicit_le/MR_small.dcm", "modality/CT/CT_small_GE.dcm", "modality/SR/reportsi_basic_text.dcm", "modality/CR/RG3_J2KI_CR.dcm" }
            .Select(Corpus.Get).ToList();
        var ids = new List<string>();
        foreach (var file in files)
        {
            var id = await orthanc.UploadAsync(await File.ReadAllBytesAsync(file.FullPath));
            ids.Add(id ?? throw new InvalidOperationException($"Orthanc refused {file.RelativePath}"));
        }

        await orthanc.StowAsync("cloudanon", ids);

        foreach (var id in ids)
        {
            var (held, uid) = await orthanc.GetInstanceAsync(id);
            var landed = (await gateway.Ingress.GetBlobClient(gateway.BlobName(uid)).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(held.AsSpan(128).ToArray(), landed.AsSpan(128).ToArray());
        }

        Assert.Equal(files.Count, gateway.StowLog.Entries.Count(e => e.Message.Contains(", stored,", StringComparison.Ordinal)));
    }
}
