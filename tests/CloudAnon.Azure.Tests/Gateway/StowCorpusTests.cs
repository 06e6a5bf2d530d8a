using System.Net;
using System.Text;
using CloudAnon.Network;
using CloudAnon.Network.Stow;
using CloudAnon.TestData;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>STOW-RS into Azurite: curl posting every corpus file, the landed blobs byte for byte.</summary>
public sealed class StowCorpusTests
{
    [Fact]
    public async Task EveryCorpusFile_PostedByCurl_LandsWithItsFileMetaAndDataSetAsSent_OrFailsForItsReason()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        await using var stow = await gateway.StartStowAsync();
        var files = Corpus.Files.Where(f => !f.IsDefective).ToList();

        var outcomes = new List<(CorpusFile File, string? Uid, int Reason)>();
        foreach (var batch in files.Chunk(40))
        {
            var expected = new List<(CorpusFile File, string? Uid, int Reason)>();
            foreach (var file in batch) expected.Add(await ExpectedAsync(file));
            var answer = StowRequest.Curl(new Uri(stow.BaseAddress, "studies"), StowRequest.Body(await Task.WhenAll(batch.Select(f => File.ReadAllBytesAsync(f.FullPath)))));

            Assert.Contains(answer.Status, new[] { 200, 202 });
            // Stored and failed parts, each sequence in request order, as judged from the files themselves.
            Assert.Equal(expected.Where(e => e.Reason == 0).Select(e => e.Uid), answer.Referenced);
            Assert.Equal(expected.Where(e => e.Reason != 0).Select(e => (e.Uid, e.Reason)), answer.Failed);
            outcomes.AddRange(expected);
        }

        var mismatched = new List<string>();
        var stored = outcomes.Where(o => o.Reason == 0).ToList();
        foreach (var instance in stored.GroupBy(o => o.Uid!))
        {
            var landed = (await gateway.Ingress.GetBlobClient(gateway.BlobName(instance.Key)).DownloadContentAsync()).Value.Content.ToArray();
            var sent = await File.ReadAllBytesAsync(instance.First().File.FullPath);
            // Only the preamble differs (zeroed); for a UID in several files, the first one sent landed.
            if (!landed.AsSpan(128).SequenceEqual(sent.AsSpan(128)) || landed.AsSpan(0, 128).ContainsAnyExcept((byte)0)) mismatched.Add(instance.First().File.RelativePath);
        }

        Assert.True(mismatched.Count == 0, string.Join(Environment.NewLine, mismatched));
        var names = new List<string>();
        await foreach (var item in gateway.Ingress.GetBlobsAsync()) names.Add(item.Name);
        Assert.Equal(stored.Select(o => o.Uid).Distinct().Count(), names.Count);
        Assert.True(stored.Count > files.Count / 2, $"{stored.Count} of {files.Count} stored");
        Assert.All(gateway.StowLog.Entries, e => Assert.DoesNotContain(stored[0].Uid!, e.Message, StringComparison.Ordinal));
    }

    /// <summary>
    /// What the gateway must answer for a file, judged with the codec's file reader and the bytes: not Part 10 with a
    /// leading group length, or File Meta Information that does not read or lacks a valid SOP class or instance UID → C000
    /// without UIDs; a data set that does not
    /// read, or whose SOP Instance UID (where it has one) is not the File Meta Information's → C000; a private SOP class → 0122; else stored.
    /// </summary>
    private static async Task<(CorpusFile File, string? Uid, int Reason)> ExpectedAsync(CorpusFile corpusFile)
    {
        var bytes = await File.ReadAllBytesAsync(corpusFile.FullPath);
        bool part10 = bytes.Length > 144 && Encoding.ASCII.GetString(bytes, 128, 4) == "DICM" && bytes[132] == 2 && bytes[133] == 0 && bytes[134] == 0 && bytes[135] == 0;
        if (!part10) return (corpusFile, null, 0xC000);
        try
        {
            using var file = await CloudAnon.Dicom.DicomFile.OpenAsync(new MemoryStream(bytes));
            var metaUid = file.FileMetaInformation.GetAsciiString(CloudAnon.Dicom.DicomTag.MediaStorageSopInstanceUid);
            var metaClass = file.FileMetaInformation.GetAsciiString(new CloudAnon.Dicom.DicomTag(0x0002, 0x0002));
            if (!CloudAnon.Dicom.DicomUid.IsValid(metaUid) || !CloudAnon.Dicom.DicomUid.IsValid(metaClass)) return (corpusFile, null, 0xC000);
            if (!StorageSopClasses.IsStorage(metaClass!)) return (corpusFile, metaUid, 0x0122);
            // A data set without (0008,0018) is stored under the File Meta's UID, as C-STORE stores it under the command's.
            var dataSetUid = file.Dataset.GetAsciiString(new CloudAnon.Dicom.DicomTag(0x0008, 0x0018));
            return (corpusFile, metaUid, dataSetUid is null || dataSetUid == metaUid ? 0 : 0xC000);
        }
        catch (CloudAnon.Dicom.DicomFormatException)
        {
            return (corpusFile, null, 0xC000);
        }
    }
}
