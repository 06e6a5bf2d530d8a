using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// <c>cloudanon gateway</c> (the built cloudanon.dll) exporting its meter by OTLP/HTTP, as OTEL_EXPORTER_OTLP_ENDPOINT and
/// OTEL_EXPORTER_OTLP_PROTOCOL set it, to a loopback receiver here: after dcmtk's storescu stores an instance and the
/// gateway is stopped by SIGTERM, the received bytes name the instruments and hold no value of the instance, no AE title
/// and no blob name.
/// </summary>
public sealed class GatewayTelemetryTests : IDisposable
{
    private const string PlantedName = "PLANTEDNAME^OTLPMARKER";
    private const string CallingAe = "SITEAE7731";
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Gateway_ExportsItsCountersByOtlp_WithoutValuesAeTitlesOrBlobNames()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        string file = _harness.Copy(CliHarness.ExplicitMr, "planted.dcm");
        var modify = ExternalTool.Run("dcmodify", "-nb", "-m", $"(0010,0010)={PlantedName}", file);
        Assert.True(modify.ExitCode == 0, modify.StandardError);
        var ports = LoopbackPorts.Free(2);
        using var receiver = new OtlpReceiver(ports[0]);
        string ingress = AzuriteInstance.NewContainerName("otlp");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { CliHarness.DllPath, "gateway", "--connection", azurite.ConnectionString, "--ingress", ingress, "--port", ports[1].ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CLOUDANON_MAPPING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{ports[0]}";
        start.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        using var gateway = Process.Start(start)!;
        var log = gateway.StandardError.ReadToEndAsync();
        try
        {
            await WaitForPortAsync(ports[1], gateway);
            var sent = ExternalTool.Run("storescu", ["-aet", CallingAe, "-aec", "CLOUDANON", "127.0.0.1", ports[1].ToString(CultureInfo.InvariantCulture), file], TimeSpan.FromMinutes(1));
            Assert.True(sent.ExitCode == 0, sent.StandardError);
        }
        finally
        {
            // SIGTERM: the gateway stops gracefully, and the meter provider sends what it has counted on the way out.
            ExternalTool.Run("kill", "-TERM", gateway.Id.ToString(CultureInfo.InvariantCulture));
            if (!gateway.WaitForExit(TimeSpan.FromSeconds(60))) gateway.Kill(entireProcessTree: true);
        }

        string stderr = await log;
        Assert.True(gateway.ExitCode == 0, stderr);
        Assert.Contains("metrics to OTLP", stderr);
        var blobs = await BlobListing.ListAsync(azurite.CreateBlobServiceClient().GetBlobContainerClient(ingress));
        var blobName = Assert.Single(blobs).Name;

        var requests = receiver.Requests;
        Assert.NotEmpty(requests);
        Assert.All(requests, request => Assert.Equal("/v1/metrics", request.Path));
        Assert.All(requests, request => Assert.Equal("application/x-protobuf", request.ContentType));
        var received = Encoding.Latin1.GetString(requests.SelectMany(request => request.Body).ToArray());
        foreach (var expected in new[] { "CloudAnon.Gateway", "cloudanon.gateway.associations", "cloudanon.gateway.instances", "cloudanon.gateway.bytes", "cloudanon.gateway.duration", "stored", "dimse" })
        {
            Assert.Contains(expected, received, StringComparison.Ordinal);
        }

        var sopInstance = ExternalTool.Run("dcmdump", "+P", "0008,0018", file).StandardOutput;
        foreach (var secret in new[] { "PLANTEDNAME", "OTLPMARKER", CallingAe, blobName, blobName[..16], Path.GetFileNameWithoutExtension(blobName)[..16], UidOf(sopInstance) })
        {
            Assert.DoesNotContain(secret, received, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string UidOf(string dcmdumpLine) => dcmdumpLine[(dcmdumpLine.IndexOf('[') + 1)..dcmdumpLine.IndexOf(']')];

    private static async Task WaitForPortAsync(int port, Process gateway)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && !gateway.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        Assert.Fail($"the gateway did not listen on {port}");
    }

    /// <summary>An OTLP/HTTP receiver: keeps each request's path, media type and body, answers 200 (an empty ExportMetricsServiceResponse).</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<(string Path, string? ContentType, byte[] Body)> _requests = [];
        private readonly Task _serving;

        public OtlpReceiver(int port)
        {
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _serving = ServeAsync();
        }

        public IReadOnlyList<(string Path, string? ContentType, byte[] Body)> Requests
        {
            get
            {
                lock (_requests) return [.. _requests];
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (_requests) _requests.Add((context.Request.Url!.AbsolutePath, context.Request.ContentType, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
