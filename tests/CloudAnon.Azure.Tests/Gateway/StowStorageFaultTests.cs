using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>
/// STOW-RS while storage stops: a private Azurite (on disk, on a free port) is killed in the middle of a request whose
/// first part already has blocks staged; the answer is 503 with A700 for every part and nothing is committed; after
/// Azurite restarts on the same port and folder, the same request stores both instances whole.
/// </summary>
public sealed class StowStorageFaultTests
{
    [Fact]
    public async Task AzuriteStoppedMidRequest_Answers503WithA700_NothingLands_ThenTheResendStores()
    {
        var files = new[] { Corpus.Get("multiframe/philips_mprage_176frames.dcm").FullPath, Corpus.Get("ts/explicit_le/MR_small.dcm").FullPath };
        var (large, small) = (await File.ReadAllBytesAsync(files[0]), await File.ReadAllBytesAsync(files[1]));
        Assert.True(large.Length > 2 * 4 * 1024 * 1024, "the first part must span several staged blocks");
        var body = StowRequest.Body([large, small]);
        int cut = body.AsSpan().IndexOf(large.AsSpan(0, 256)) + large.Length / 2;

        await using var azurite = await PrivateAzurite.StartAsync();
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        var ingress = new BlobServiceClient(azurite.ConnectionString, options).GetBlobContainerClient("ingress");
        await ingress.CreateAsync();
        await using var gateway = await GatewayHarness.StartAsync(ingress: ingress);
        await using var stow = await gateway.StartStowAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var url = new Uri(stow.BaseAddress, "studies");

        // Half of the first part goes up (blocks staged in Azurite), Azurite is killed, then the rest of the body follows.
        var content = new PausingContent(body, cut, async () =>
        {
            await WaitForStagedBlocksAsync(azurite);
            await azurite.StopAsync();
        });
        content.Headers.TryAddWithoutValidation("Content-Type", StowRequest.ContentType);
        using var refused = await http.PostAsync(url, content);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "503 without Retry-After");
        var answer = new StowRequest.Answer(503, JsonDocument.Parse(await refused.Content.ReadAsByteArrayAsync()));
        Assert.Equal([0xA700, 0xA700], answer.Failed.Select(failure => failure.Reason));
        Assert.Empty(answer.Referenced);

        await azurite.RestartAsync();
        // A killed Azurite loses what it had not yet saved (every few seconds), sometimes the container itself.
        await ingress.CreateIfNotExistsAsync();
        Assert.Empty(await BlobListing.ListAsync(ingress)); // nothing committed: the staged blocks are no blob
        var stored = StowRequest.Curl(url, body);
        Assert.Equal(200, stored.Status);
        Assert.Equal(2, stored.Referenced.Count);
        var landed = await BlobListing.ListAsync(ingress);
        Assert.Equal(2, landed.Count);
        foreach (var file in files)
        {
            var sopInstance = (await GatewayHarness.IdentityAsync(file))!.Value.SopInstance;
            var blob = (await ingress.GetBlobClient(gateway.BlobName(sopInstance)).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(GatewayHarness.DataSetOf(await File.ReadAllBytesAsync(file)).ToArray(), GatewayHarness.DataSetOf(blob).ToArray());
        }
    }

    /// <summary>Waits until Azurite holds uncommitted blocks: the request is really in the middle of an upload.</summary>
    private static async Task WaitForStagedBlocksAsync(PrivateAzurite azurite)
    {
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("ingress");
        for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(100))
        {
            await foreach (var _ in container.GetBlobsAsync(BlobTraits.None, BlobStates.Uncommitted, null, default)) return;
        }

        Assert.Fail("no block was staged from the first half of the request");
    }

    /// <summary>A request body sent up to <c>pauseAt</c>, then held while <c>whilePaused</c> runs, then sent to its end.</summary>
    private sealed class PausingContent(byte[] body, int pauseAt, Func<Task> whilePaused) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, pauseAt));
            await stream.FlushAsync();
            await whilePaused();
            await stream.WriteAsync(body.AsMemory(pauseAt));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    /// <summary>An Azurite blob service of this test's own, kept on disk so that it can be stopped and started again on the same port.</summary>
    private sealed class PrivateAzurite : IAsyncDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("cloudanon-private-azurite-").FullName;
        private readonly int _port = LoopbackPorts.Free(1)[0];
        private Process? _process;

        public string ConnectionString =>
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteInstance.AccountName};AccountKey={AzuriteInstance.AccountKey};BlobEndpoint=http://127.0.0.1:{_port}/{AzuriteInstance.AccountName};";

        public static async Task<PrivateAzurite> StartAsync()
        {
            var azurite = new PrivateAzurite();
            await azurite.RestartAsync();
            return azurite;
        }

        public async Task RestartAsync()
        {
            var executable = Path.Combine(Corpus.RepositoryRoot, "node_modules", ".bin", "azurite-blob");
            if (!File.Exists(executable)) throw new InvalidOperationException($"Azurite is not installed: run `npm ci` in {Corpus.RepositoryRoot}.");
            var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var argument in new[] { "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", _folder, "--blobHost", "127.0.0.1", "--blobPort", _port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            _process = Process.Start(start)!;
            var probe = new BlobServiceClient(ConnectionString, new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } });
            for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(200))
            {
                if (_process.HasExited) Assert.Fail($"Azurite exited: {await _process.StandardError.ReadToEndAsync()}");
                try
                {
                    await probe.GetPropertiesAsync();
                    return;
                }
                catch (Exception e) when (e is global::Azure.RequestFailedException or OperationCanceledException)
                {
                }
            }

            Assert.Fail("the private Azurite did not answer within 60 s");
        }

        public async Task StopAsync()
        {
            if (_process is null) return;
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
