using System.Diagnostics;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;

namespace CloudAnon.TestSupport;

/// <summary>
/// Orthanc (Debian <c>orthanc</c>, and <c>orthanc-dicomweb</c> for STOW-RS) as a PACS that sends by C-STORE or by
/// DICOMweb: started on free loopback ports with a temporary configuration and storage, the given remote nodes in
/// <c>DicomModalities</c> and <c>DicomWeb.Servers</c>, driven by its REST API. A missing Orthanc or plugin fails the
/// test (the install script installs both).
/// </summary>
public sealed class OrthancServer : IAsyncDisposable
{
    public const string AeTitle = "ORTHANC";
    private const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly HttpClient _http;

    private OrthancServer(Process process, DirectoryInfo directory, int httpPort)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <param name="modalities">Remote DICOM nodes by Orthanc's name for them: called AE title and loopback port.</param>
    /// <param name="dicomWebServers">Remote DICOMweb servers by Orthanc's name for them; loads the DICOMweb plugin.</param>
    public static async Task<OrthancServer> StartAsync(
        IReadOnlyDictionary<string, (string AeTitle, int Port)>? modalities = null, IReadOnlyDictionary<string, Uri>? dicomWebServers = null)
    {
        if (dicomWebServers is not null && !File.Exists(DicomWebPlugin))
            throw new InvalidOperationException($"{DicomWebPlugin} is missing: apt-get install orthanc-dicomweb (scripts/install-test-tools.sh).");
        var directory = Directory.CreateTempSubdirectory("cloudanon-orthanc-");
        var ports = LoopbackPorts.Free(2);
        int httpPort = ports[0], dicomPort = ports[1];
        var configuration = new JsonObject
        {
            ["Name"] = "cloudanon-test",
            ["StorageDirectory"] = Path.Combine(directory.FullName, "storage"),
            ["IndexDirectory"] = Path.Combine(directory.FullName, "storage"),
            ["Plugins"] = dicomWebServers is null ? new JsonArray() : new JsonArray(DicomWebPlugin),
            ["HttpPort"] = httpPort,
            ["DicomPort"] = dicomPort,
            ["DicomAet"] = AeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            // Orthanc's 10 s default wait for a C-STORE response is too short on a loaded test machine.
            ["DicomScuTimeout"] = 180,
            ["DicomModalities"] = new JsonObject((modalities ?? new Dictionary<string, (string, int)>()).Select(m =>
                KeyValuePair.Create(m.Key, (JsonNode?)new JsonArray(m.Value.AeTitle, "127.0.0.1", m.Value.Port)))),
        };
        if (dicomWebServers is not null)
        {
            configuration["DicomWeb"] = new JsonObject
            {
                ["Enable"] = true,
                ["Servers"] = new JsonObject(dicomWebServers.Select(server =>
                    KeyValuePair.Create(server.Key, (JsonNode?)new JsonObject { ["Url"] = server.Value.AbsoluteUri }))),
            };
        }

        var configurationPath = Path.Combine(directory.FullName, "orthanc.json");
        await File.WriteAllTextAsync(configurationPath, configuration.ToJsonString());
        var start = new ProcessStartInfo(ExternalTool.Locate("Orthanc")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(configurationPath);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new OrthancServer(process, directory, httpPort);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Uploads a file by <c>POST /instances</c>; its Orthanc ID, or null when Orthanc refuses it.</summary>
    public async Task<string?> UploadAsync(byte[] file)
    {
        using var response = await _http.PostAsync("instances", new ByteArrayContent(file));
        if (!response.IsSuccessStatusCode) return null;
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return answer["ID"]?.GetValue<string>();
    }

    /// <summary>
    /// <c>POST /modalities/{name}/store</c> (synchronous): one association sending every instance; the job's answer, or an
    /// <see cref="HttpRequestException"/> with Orthanc's description when the store failed.
    /// </summary>
    public async Task<JsonNode> StoreAsync(string modality, IEnumerable<string> instanceIds)
    {
        var request = new JsonObject { ["Resources"] = new JsonArray([.. instanceIds.Select(id => (JsonNode)id)]), ["Synchronous"] = true };
        using var response = await _http.PostAsync($"modalities/{modality}/store", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"Orthanc store to {modality}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary><c>POST /dicom-web/servers/{name}/stow</c>: sends the instances by STOW-RS; throws with Orthanc's answer when it failed.</summary>
    public async Task StowAsync(string server, IEnumerable<string> instanceIds)
    {
        var request = new JsonObject { ["Resources"] = new JsonArray([.. instanceIds.Select(id => (JsonNode)id)]) };
        using var response = await _http.PostAsync($"dicom-web/servers/{server}/stow", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Orthanc STOW-RS to {server}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The file Orthanc holds for an instance, and its SOP Instance UID.</summary>
    public async Task<(byte[] File, string SopInstanceUid)> GetInstanceAsync(string instanceId)
    {
        var file = await _http.GetByteArrayAsync($"instances/{instanceId}/file");
        var tags = JsonNode.Parse(await _http.GetStringAsync($"instances/{instanceId}"))!;
        return (file, tags["MainDicomTags"]!["SOPInstanceUID"]!.GetValue<string>());
    }

    /// <summary><c>POST /modalities/{name}/echo</c>: whether Orthanc's C-ECHO succeeded.</summary>
    public async Task<bool> EchoAsync(string modality)
    {
        using var response = await _http.PostAsync($"modalities/{modality}/echo", new StringContent("{}", Encoding.UTF8, "application/json"));
        return response.IsSuccessStatusCode;
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Orthanc exited at start with code {_process.ExitCode}.");
            try
            {
                using var response = await _http.GetAsync("system");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline) throw new TimeoutException("Orthanc did not answer on its REST port within 30 s.");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Delete(recursive: true);
    }
}
