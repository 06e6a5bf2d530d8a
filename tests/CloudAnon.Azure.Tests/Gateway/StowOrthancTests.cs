using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CloudAnon.Azure.Gateway;
using CloudAnon.Network;
using CloudAnon.Network.Stow;
using CloudAnon.TestData;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>Orthanc's DICOMweb client (Debian orthanc + orthanc-dicomweb) with the gateway as its DICOMweb server.</summary>
public sealed class StowOrthancTests
{
    private const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    [Fact]
    public async Task OrthancStow_ToTheGateway_LandsEveryInstanceAsOrthancHoldsIt()
    {
        await using var gateway = await GatewayHarness.StartAsync();
        var log = new CapturingLogger<StowServer>();
        using var metrics = new GatewayMetrics();
        await using var stow = new StowServer(new StowServerOptions(), new IngressLanding(gateway.Ingress, gateway.NameKey), log, metrics);
        await stow.StartAsync();
        await using var orthanc = await Orthanc.StartAsync(stow.BaseAddress);
        var files = new[] { "ts/explicit_le/MR_small.dcm", "modality/CT/CT_small_GE.dcm", "modality/SR/reportsi_basic_text.dcm", "modality/CR/RG3_J2KI_CR.dcm" }
            .Select(Corpus.Get).ToList();
        var ids = new List<string>();
        foreach (var file in files)
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file.FullPath));
            var uploaded = await orthanc.Client.PostAsync("instances", content);
            Assert.True(uploaded.IsSuccessStatusCode, $"Orthanc refused {file.RelativePath}: {uploaded.StatusCode}");
            ids.Add(JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync()).RootElement.GetProperty("ID").GetString()!);
        }

        using var request = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["Resources"] = [.. ids] }), Encoding.UTF8, "application/json");
        var stowed = await orthanc.Client.PostAsync("dicom-web/servers/cloudanon/stow", request);

        Assert.True(stowed.IsSuccessStatusCode, $"Orthanc's STOW-RS: {stowed.StatusCode} {await stowed.Content.ReadAsStringAsync()}");
        foreach (var id in ids)
        {
            var held = await orthanc.Client.GetByteArrayAsync($"instances/{id}/file");
            var uid = JsonDocument.Parse(await orthanc.Client.GetStringAsync($"instances/{id}")).RootElement.GetProperty("MainDicomTags").GetProperty("SOPInstanceUID").GetString()!;
            var landed = (await gateway.Ingress.GetBlobClient(gateway.BlobName(uid)).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(held.AsSpan(128).ToArray(), landed.AsSpan(128).ToArray());
        }

        Assert.Equal(files.Count, log.Entries.Count(e => e.Message.Contains(", stored,", StringComparison.Ordinal)));
    }

    /// <summary>An Orthanc on free loopback ports, storage in a temporary folder, the DICOMweb plugin pointing at the gateway.</summary>
    private sealed class Orthanc : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly DirectoryInfo _directory;

        private Orthanc(Process process, DirectoryInfo directory, int port)
        {
            _process = process;
            _directory = directory;
            Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromMinutes(2) };
        }

        public HttpClient Client { get; }

        public static async Task<Orthanc> StartAsync(Uri dicomWebServer)
        {
            if (!File.Exists(DicomWebPlugin)) throw new InvalidOperationException($"{DicomWebPlugin} is missing: apt-get install orthanc orthanc-dicomweb (scripts/install-test-tools.sh).");
            var directory = Directory.CreateTempSubdirectory("cloudanon-orthanc-");
            int httpPort = FreePort(), dicomPort = FreePort();
            var config = new Dictionary<string, object>
            {
                ["Name"] = "CLOUDANON-TEST",
                ["StorageDirectory"] = Path.Combine(directory.FullName, "storage"),
                ["IndexDirectory"] = Path.Combine(directory.FullName, "index"),
                ["HttpPort"] = httpPort,
                ["DicomPort"] = dicomPort,
                ["RemoteAccessAllowed"] = false,
                ["AuthenticationEnabled"] = false,
                ["Plugins"] = new[] { DicomWebPlugin },
                ["DicomWeb"] = new Dictionary<string, object>
                {
                    ["Enable"] = true,
                    ["Servers"] = new Dictionary<string, object> { ["cloudanon"] = new Dictionary<string, string> { ["Url"] = dicomWebServer.AbsoluteUri } },
                },
            };
            var configPath = Path.Combine(directory.FullName, "orthanc.json");
            await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));
            var start = new ProcessStartInfo("Orthanc") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(configPath);
            var process = Process.Start(start) ?? throw new InvalidOperationException("Orthanc did not start.");
            var output = new StringBuilder();
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var orthanc = new Orthanc(process, directory, httpPort);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    if ((await orthanc.Client.GetAsync("plugins/dicom-web")).IsSuccessStatusCode) return orthanc;
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(200);
            }

            await orthanc.DisposeAsync();
            lock (output) throw new InvalidOperationException($"Orthanc with its DICOMweb plugin did not answer:{Environment.NewLine}{output}");
        }

        private static int FreePort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            _directory.Delete(recursive: true);
        }
    }
}
