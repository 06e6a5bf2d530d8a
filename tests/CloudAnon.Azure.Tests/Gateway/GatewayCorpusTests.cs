using CloudAnon.Dicom;
using CloudAnon.Network;
using CloudAnon.TestData;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>dcmtk's storescu, to the gateway and to dcmtk's storescp as the reference (and, for the syntaxes dcmtk 3.6.7 does not know, a requester written from PS3.8) → gateway → Azurite.</summary>
public sealed class GatewayCorpusTests
{
    /// <summary>Transfer syntaxes dcmtk 3.6.7 cannot send (it does not know them); these files go through RawScu.</summary>
    private static readonly HashSet<string> UnknownToDcmtk = ["1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.8.1"];

    /// <summary>Its SOP Instance UID is encoded as UN, which dcmtk does not read ("No SOP Class or Instance UID"); RawScu sends it.</summary>
    private const string UnReadByDcmtk = "private/ctp/explicit_VR-UN_CTP.dcm";

    /// <summary>Files dcmtk 3.6.7 cannot send (Orthanc sends with the same dcmtk).</summary>
    internal static bool ByRawScu(CorpusFile file) => UnknownToDcmtk.Contains(file.TransferSyntaxUid) || file.RelativePath == UnReadByDcmtk;

    [Fact]
    public async Task EveryCorpusInstance_InItsOwnTransferSyntax_LandsInIngressWithTheDataSetAsSent()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var sendable = new List<(CorpusFile File, string SopClass, string SopInstance)>();
        var withoutIdentity = new List<string>();
        var privateClasses = new List<(CorpusFile File, string SopClass)>();
        foreach (var file in Corpus.WellFormed.Where(f => f.TransferSyntaxUid.StartsWith("1.", StringComparison.Ordinal)))
        {
            if (await GatewayHarness.IdentityAsync(file.FullPath) is not { } identity) withoutIdentity.Add(file.RelativePath);
            else if (StorageSopClasses.IsStorage(identity.SopClass)) sendable.Add((file, identity.SopClass, identity.SopInstance));
            else privateClasses.Add((file, identity.SopClass));
        }

        // DICOMDIRs and a few structure samples carry no SOP Class or Instance UID: storescu itself refuses to send them.
        Assert.All(withoutIdentity, path => Assert.Contains(
            "No SOP Class or Instance UID", ExternalTool.Run("storescu", ["-aec", "CLOUDANON", "127.0.0.1", gateway.Port, Path.Combine(Corpus.Directory, path)]).StandardError));

        // Several associations at once: one storescu per transfer syntax, four at a time.
        var reference = Directory.CreateTempSubdirectory("cloudanon-storescp-");
        using var storeScp = GatewayHarness.StartStoreScp(
            reference.FullName, sendable.Select(s => s.SopClass), sendable.Select(s => s.File.TransferSyntaxUid), out var storeScpPort);
        var groups = sendable.Where(s => !ByRawScu(s.File)).GroupBy(s => s.File.TransferSyntaxUid).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (group, _) =>
        {
            await Task.Yield();
            var result = gateway.StoreScu([.. group.Select(s => (s.File.FullPath, s.SopClass))], group.Key);
            var referenceResult = GatewayHarness.StoreScu(storeScpPort, [.. group.Select(s => (s.File.FullPath, s.SopClass))], group.Key);
            if (referenceResult.ExitCode != 0) failures.Add($"{group.Key}: storescu to storescp exit {referenceResult.ExitCode}");
            if (result.ExitCode != 0) failures.Add($"{group.Key}: storescu exit {result.ExitCode}: {string.Join(" | ", result.StandardError.Split('\n').Where(line => line.StartsWith("E:", StringComparison.Ordinal) || line.StartsWith("F:", StringComparison.Ordinal)))}");
        });
        foreach (var (file, sopClass, sopInstance) in sendable.Where(s => ByRawScu(s.File)))
        {
            var bytes = await File.ReadAllBytesAsync(file.FullPath);
            Assert.Equal(0x0000, await RawScu.StoreAsync(gateway.Server.LocalEndPoint, "CLOUDANON", sopClass, sopInstance, file.TransferSyntaxUid, GatewayHarness.DataSetOf(bytes).ToArray()));
        }

        // Private SOP classes are not negotiated (docs/gateway.md): alone in a request, the association is rejected.
        Assert.Equal(2, privateClasses.Count);
        Assert.All(privateClasses, sent => Assert.Contains(
            "Association Rejected", gateway.StoreScu([(sent.File.FullPath, sent.SopClass)], sent.File.TransferSyntaxUid).StandardError));
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures));
        storeScp.Kill();
        // What dcmtk sent, by SOP Instance UID: storescp's files (bit-preserving), and the raw sends' own data sets.
        var sentDataSets = new Dictionary<string, List<byte[]>>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(reference.FullName, "received")))
        {
            var received = await File.ReadAllBytesAsync(path);
            using var receivedFile = await DicomFile.OpenAsync(new MemoryStream(received));
            var uid = receivedFile.FileMetaInformation.GetAsciiString(DicomTag.MediaStorageSopInstanceUid)!;
            (sentDataSets.TryGetValue(uid, out var list) ? list : sentDataSets[uid] = []).Add(GatewayHarness.DataSetOf(received).ToArray());
        }

        foreach (var (file, _, uid) in sendable.Where(s => ByRawScu(s.File)))
        {
            (sentDataSets.TryGetValue(uid, out var list) ? list : sentDataSets[uid] = []).Add(GatewayHarness.DataSetOf(await File.ReadAllBytesAsync(file.FullPath)).ToArray());
        }

        reference.Delete(recursive: true);
        var mismatched = new List<string>();
        // The corpus holds some instances in several files (the same SOP Instance UID): one blob each.
        foreach (var instance in sendable.GroupBy(s => s.SopInstance))
        {
            var blob = await gateway.Ingress.GetBlobClient(gateway.BlobName(instance.Key)).DownloadContentAsync();
            var landed = blob.Value.Content.ToArray();
            Assert.Equal("application/dicom", blob.Value.Details.ContentType);
            // storescp keeps one file per SOP Instance UID, so only instances sent once have an unambiguous reference.
            if (instance.Count() == 1 && !sentDataSets[instance.Key].Any(sent => GatewayHarness.DataSetOf(landed).SequenceEqual(sent))) mismatched.Add(string.Join(",", instance.Select(i => i.File.RelativePath)));
            using var file = await DicomFile.OpenAsync(new MemoryStream(landed));
            Assert.Contains(instance, sent => sent.File.TransferSyntaxUid == file.TransferSyntax.Uid);
        }

        Assert.True(mismatched.Count == 0, string.Join(Environment.NewLine, mismatched));
        var names = new List<string>();
        await foreach (var item in gateway.Ingress.GetBlobsAsync()) names.Add(item.Name);
        Assert.Equal(sendable.Select(s => s.SopInstance).Distinct().Count(), names.Count);
    }
}
