using System.Globalization;
using CloudAnon.Dicom;
using CloudAnon.Network;
using CloudAnon.TestData;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>
/// Orthanc as the sending PACS: corpus files uploaded to it by REST, then <c>POST /modalities/{id}/store</c> to the gateway
/// (→ Azurite) and, as the reference for what Orthanc puts on the wire, to dcmtk's bit-preserving storescp.
/// </summary>
public sealed class GatewayOrthancTests
{
    [Fact]
    public async Task OrthancStore_ToTheGateway_LandsEveryInstanceWithTheDataSetOrthancSent()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var sendable = new List<(CorpusFile File, string SopClass, string SopInstance)>();
        // Orthanc sends with dcmtk 3.6.7: not the files that dcmtk cannot send (GatewayCorpusTests sends those by RawScu).
        foreach (var file in Corpus.WellFormed.Where(f => f.TransferSyntaxUid.StartsWith("1.", StringComparison.Ordinal) && !GatewayCorpusTests.ByRawScu(f)))
        {
            if (await GatewayHarness.IdentityAsync(file.FullPath) is { } identity && StorageSopClasses.IsStorage(identity.SopClass))
            {
                sendable.Add((file, identity.SopClass, identity.SopInstance));
            }
        }

        var reference = Directory.CreateTempSubdirectory("cloudanon-storescp-");
        using var storeScp = GatewayHarness.StartStoreScp(
            reference.FullName, sendable.Select(s => s.SopClass), sendable.Select(s => s.File.TransferSyntaxUid), out var storeScpPort);
        try
        {
            await StoreThroughOrthancAsync(gateway, sendable, reference, storeScp, storeScpPort);
        }
        finally
        {
            if (!storeScp.HasExited) storeScp.Kill();
            reference.Delete(recursive: true);
        }
    }

    private static async Task StoreThroughOrthancAsync(
        GatewayHarness gateway, List<(CorpusFile File, string SopClass, string SopInstance)> sendable, DirectoryInfo reference,
        System.Diagnostics.Process storeScp, string storeScpPort)
    {
        await using var orthanc = await OrthancServer.StartAsync(new Dictionary<string, (string, int)>
        {
            ["gateway"] = ("CLOUDANON", gateway.Server.LocalEndPoint.Port),
            ["reference"] = ("CLOUDANON", int.Parse(storeScpPort, CultureInfo.InvariantCulture)),
        });
        Assert.True(await orthanc.EchoAsync("gateway"));

        // Orthanc keeps one copy per SOP Instance UID (the corpus holds a few instances in several files).
        var orthancIds = new Dictionary<string, string>();
        var refusedByOrthanc = new List<string>();
        foreach (var (file, _, sopInstance) in sendable)
        {
            if (await orthanc.UploadAsync(await File.ReadAllBytesAsync(file.FullPath)) is { } id) orthancIds[sopInstance] = id;
            else refusedByOrthanc.Add(file.RelativePath);
        }

        // Orthanc 1.10.1 indexes by patient, study and series: it refuses files without them.
        foreach (var path in refusedByOrthanc) Assert.True(await OrthancCannotIndexAsync(path), $"Orthanc refused {path}");

        var toGateway = await orthanc.StoreAsync("gateway", orthancIds.Values);
        var toReference = await orthanc.StoreAsync("reference", orthancIds.Values);
        Assert.Equal(orthancIds.Count, toGateway["InstancesCount"]!.GetValue<int>());
        Assert.Equal(0, toGateway["FailedInstancesCount"]!.GetValue<int>());
        Assert.Equal(0, toReference["FailedInstancesCount"]!.GetValue<int>());
        storeScp.Kill();

        var mismatched = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(reference.FullName, "received")))
        {
            var sent = await File.ReadAllBytesAsync(path);
            using var sentFile = await DicomFile.OpenAsync(new MemoryStream(sent));
            var uid = sentFile.FileMetaInformation.GetAsciiString(DicomTag.MediaStorageSopInstanceUid)!;
            var landed = (await gateway.Ingress.GetBlobClient(gateway.BlobName(uid)).DownloadContentAsync()).Value.Content.ToArray();
            using var landedFile = await DicomFile.OpenAsync(new MemoryStream(landed));
            if (landedFile.TransferSyntax.Uid != sentFile.TransferSyntax.Uid || !GatewayHarness.DataSetOf(landed).SequenceEqual(GatewayHarness.DataSetOf(sent)))
            {
                mismatched.Add(uid);
            }
        }

        Assert.Equal(orthancIds.Count, Directory.EnumerateFiles(Path.Combine(reference.FullName, "received")).Count());
        Assert.True(mismatched.Count == 0, $"{mismatched.Count} data sets differ from what Orthanc sent");
        var names = new List<string>();
        await foreach (var item in gateway.Ingress.GetBlobsAsync()) names.Add(item.Name);
        Assert.Equal(orthancIds.Keys.Select(gateway.BlobName).Order(), names.Order());
    }

    private static async Task<bool> OrthancCannotIndexAsync(string relativePath)
    {
        var file = Corpus.Get(relativePath);
        await using var stream = File.OpenRead(file.FullPath);
        using var dicom = await DicomFile.OpenAsync(stream);
        return new[] { new DicomTag(0x0010, 0x0020), new DicomTag(0x0020, 0x000D), new DicomTag(0x0020, 0x000E) }
            .Any(tag => string.IsNullOrEmpty(dicom.Dataset.GetAsciiString(tag)));
    }
}
