using System.Net;
using CloudAnon.Azure.Gateway;
using CloudAnon.Azure.Ingress;
using CloudAnon.Network;
using CloudAnon.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The whole way in: dcmtk's storescu → the gateway (DICOM listener + ingress landing, as <c>cloudanon gateway</c> runs
/// them) → ingress on Azurite → BlobCreated → the function under its test host → egress.
/// </summary>
[Collection(DefaultHostCollection.Name)]
public sealed class GatewayToEgressTests(IngressHostFixture fixture)
{
    private IngressHost App => fixture.App;

    [Fact]
    public async Task InstancesSentByStoreScu_ReachEgressDeidentified_WithNoPlantedMarkerInAnyByte()
    {
        var directory = Directory.CreateTempSubdirectory("cloudanon-gateway-e2e-");
        var sent = new List<string>();
        foreach (var content in (await TestFiles.DistinctInstancesAsync(TestFiles.HalfMegabyteCt, 2)).Append(await TestFiles.PlantedPhiFileAsync(studyUid: "1.2.826.0.1.3680043.10.999.22")))
        {
            var path = Path.Combine(directory.FullName, $"{sent.Count}.dcm");
            await File.WriteAllBytesAsync(path, content);
            sent.Add(path);
        }

        var ingressBefore = await NamesAsync(App.Containers.Ingress);
        var egressBefore = await NamesAsync(App.Containers.Egress);
        var nameKey = IngressProcessorOptions.DeriveBlobNameHashKey(Convert.FromBase64String(App.Settings[SettingNames.MappingKey]!));
        using var metrics = new GatewayMetrics();
        await using (var gateway = new DicomServer(new DicomServerOptions(), new IngressLanding(App.Containers.Ingress, nameKey), NullLogger.Instance, metrics))
        {
            gateway.Start(new IPEndPoint(IPAddress.Loopback, 0));
            var result = ExternalTool.Run("storescu", ["-aec", "CLOUDANON", "127.0.0.1", gateway.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. sent], TimeSpan.FromMinutes(3));
            Assert.True(result.ExitCode == 0, result.StandardError);
        }

        directory.Delete(recursive: true);
        var landed = (await NamesAsync(App.Containers.Ingress)).Except(ingressBefore).ToList();
        Assert.Equal(sent.Count, landed.Count);
        Assert.All(landed, name => Assert.Matches("^[0-9a-f]{64}\\.dcm$", name));
        // The planted file reached ingress with its markers: what follows is the function's doing, not the gateway's.
        Assert.Single(await Task.WhenAll(landed.Select(ContentAsync(App.Containers.Ingress))), content => PlantedPhi.ContainsMarker(content));

        foreach (var name in landed)
        {
            Assert.Equal(HttpStatusCode.Accepted, await App.Host.PostBlobCreatedAsync(App.Containers.Ingress.GetBlobClient(name)));
        }

        await App.WaitUntilProcessedAsync(landed, TimeSpan.FromSeconds(120));
        var ingress = (await BlobListing.ListAsync(App.Containers.Ingress)).Where(b => landed.Contains(b.Name)).ToList();
        Assert.All(ingress, blob => Assert.Equal(IngressMetadata.ProcessedEgress, blob.Metadata[IngressMetadata.Processed]));
        var egress = (await NamesAsync(App.Containers.Egress)).Except(egressBefore).ToList();
        Assert.Equal(sent.Count, egress.Count);
        foreach (var name in egress)
        {
            Assert.False(PlantedPhi.ContainsMarker(System.Text.Encoding.UTF8.GetBytes(name)));
            Assert.False(PlantedPhi.ContainsMarker(await ContentAsync(App.Containers.Egress)(name)), "a planted marker reached egress");
        }
    }

    private static Func<string, Task<byte[]>> ContentAsync(global::Azure.Storage.Blobs.BlobContainerClient container) =>
        async name => (await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();

    private static async Task<HashSet<string>> NamesAsync(global::Azure.Storage.Blobs.BlobContainerClient container) =>
        (await BlobListing.ListAsync(container)).Select(b => b.Name).ToHashSet();
}
