using System.Net;
using System.Text;
using CloudAnon.Azure.Gateway;
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
        var log = new CapturingLogger<StowServer>();
        using var metrics = new GatewayMetrics();
        await using var stow = new StowServer(new StowServerOptions(), new IngressLanding(gateway.Ingress, gateway.NameKey), log, metrics);
        await stow.StartAsync();
        var files = Corpus.Files.Where(f => !f.IsDefective).ToList();

        var outcomes = new List<(CorpusFile File, string? Uid, int Reason)>();
        foreach (var batch in files.Chunk(40))
        {
            var parts = await Task.WhenAll(batch.Select(f => File.ReadAllBytesAsync(f.FullPath)));
            var answer = StowRequest.Curl(new Uri(stow.BaseAddress, "studies"), StowRequest.Body(parts));
            Assert.Contains(answer.Status, new[] { 200, 202 });
            var referenced = new Queue<string>(answer.Referenced);
            var failed = new Queue<(string? SopInstance, int Reason)>(answer.Failed);
            // The answer lists stored and failed parts each in request order; a part is in one of the two.
            foreach (var (file, bytes) in batch.Zip(parts))
            {
                var uid = await TryIdentityAsync(file.FullPath);
                if (referenced.TryPeek(out var next) && next == uid?.SopInstance) outcomes.Add((file, referenced.Dequeue(), 0));
                else outcomes.Add((file, uid?.SopInstance, failed.Dequeue().Reason));
            }

            Assert.Empty(referenced);
            Assert.Empty(failed);
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

        // Each failure for its reason, judged from the file itself: not Part 10 (no DICM prefix, no group length, not
        // DICOM at all) → C000; a private SOP class → 0122.
        foreach (var (file, uid, reason) in outcomes.Where(o => o.Reason != 0))
        {
            var bytes = await File.ReadAllBytesAsync(file.FullPath);
            bool part10 = bytes.Length > 144 && Encoding.ASCII.GetString(bytes, 128, 4) == "DICM" && bytes[132] == 2 && bytes[133] == 0 && bytes[134] == 0 && bytes[135] == 0;
            var identity = await TryIdentityAsync(file.FullPath);
            var expected = !part10 || identity is null ? 0xC000 : !StorageSopClasses.IsStorage(identity.Value.SopClass) ? 0x0122 : -1;
            Assert.True(expected == reason, $"{file.RelativePath}: failure reason {reason:X4}, expected {expected:X4}");
        }

        Assert.True(stored.Count > 200, $"{stored.Count} of {files.Count} stored");
        Assert.All(log.Entries, e => Assert.DoesNotContain(stored[0].Uid!, e.Message, StringComparison.Ordinal));
    }

    private static async Task<(string SopClass, string SopInstance)?> TryIdentityAsync(string path)
    {
        try
        {
            return await GatewayHarness.IdentityAsync(path);
        }
        catch (CloudAnon.Dicom.DicomFormatException)
        {
            return null;
        }
    }
}
