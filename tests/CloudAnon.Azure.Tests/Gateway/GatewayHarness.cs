using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using CloudAnon.Azure.Gateway;
using CloudAnon.Dicom;
using CloudAnon.Network;
using CloudAnon.Network.Stow;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>A gateway on a free loopback port landing in a fresh Azurite container, and the dcmtk runs that feed it.</summary>
internal sealed class GatewayHarness : IAsyncDisposable
{
    private GatewayHarness(BlobContainerClient ingress, byte[] nameKey, DicomServerOptions options)
    {
        Ingress = ingress;
        NameKey = nameKey;
        Server = new DicomServer(options, new IngressLanding(ingress, nameKey), Log, Metrics);
        Server.Start(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public BlobContainerClient Ingress { get; }
    public byte[] NameKey { get; }
    public DicomServer Server { get; }
    public CapturingLogger<DicomServer> Log { get; } = new();
    public CapturingLogger<StowServer> StowLog { get; } = new();
    public GatewayMetrics Metrics { get; } = new();
    public string Port => Server.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);

    public static async Task<GatewayHarness> StartAsync(DicomServerOptions? options = null, BlobContainerClient? ingress = null)
    {
        ingress ??= await (await AzuriteFixture.EnsureStartedAsync()).CreateBlobContainerAsync("gateway");
        return new GatewayHarness(ingress, RandomNumberGenerator.GetBytes(32), options ?? new DicomServerOptions { MaxAssociations = 8 });
    }

    /// <summary>A STOW-RS endpoint on a free loopback port beside the DICOM one: the same ingress, names and metrics.</summary>
    public async Task<StowServer> StartStowAsync(StowServerOptions? options = null)
    {
        var stow = new StowServer(options ?? new StowServerOptions(), new IngressLanding(Ingress, NameKey), StowLog, Metrics);
        await stow.StartAsync();
        return stow;
    }

    /// <summary>The ingress name the gateway must give an instance, computed here from the documented scheme.</summary>
    public string BlobName(string sopInstanceUid) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(NameKey, Encoding.UTF8.GetBytes("sop-instance\n" + sopInstanceUid))) + ".dcm";

    /// <summary>
    /// Runs dcmtk's storescu on <paramref name="files"/> with a configuration profile that proposes, for each SOP class,
    /// exactly the transfer syntax the files are in, so each data set travels as stored.
    /// </summary>
    public ExternalTool.Result StoreScu(IReadOnlyList<(string Path, string SopClass)> files, string transferSyntax, params string[] extra) =>
        StoreScu(Port, files, transferSyntax, extra);

    /// <summary>The same run against another receiver (dcmtk's storescp, as the reference).</summary>
    public static ExternalTool.Result StoreScu(string port, IReadOnlyList<(string Path, string SopClass)> files, string transferSyntax, params string[] extra)
    {
        var config = new StringBuilder();
        config.AppendLine("[[TransferSyntaxes]]\n[TS]\nTransferSyntax1 = " + transferSyntax);
        config.AppendLine("[[PresentationContexts]]\n[PC]");
        var classes = files.Select(f => f.SopClass).Distinct().ToList();
        for (int i = 0; i < classes.Count; i++) config.AppendLine($"PresentationContext{i + 1} = {classes[i]}\\TS");
        config.AppendLine("[[Profiles]]\n[Send]\nPresentationContexts = PC");
        var path = Path.Combine(Path.GetTempPath(), $"cloudanon-storescu-{Guid.NewGuid():N}.cfg");
        File.WriteAllText(path, config.ToString());
        try
        {
            return ExternalTool.Run("storescu", [.. extra, "-xf", path, "Send", "-aec", "CLOUDANON", "127.0.0.1", port, .. files.Select(f => f.Path)], TimeSpan.FromMinutes(5));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The bytes after a Part 10 file's File Meta Information (its group length says where it ends).</summary>
    public static ReadOnlySpan<byte> DataSetOf(byte[] part10)
    {
        if (Encoding.ASCII.GetString(part10, 128, 4) != "DICM") throw new InvalidDataException("no DICM prefix");
        uint groupLength = BinaryPrimitives.ReadUInt32LittleEndian(part10.AsSpan(132 + 8));
        return part10.AsSpan(132 + 12 + (int)groupLength);
    }

    /// <summary>SOP Class and Instance UIDs as the codec reads them; null when the file has none.</summary>
    public static async Task<(string SopClass, string SopInstance)?> IdentityAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        using var file = await DicomFile.OpenAsync(stream);
        var sopClass = file.Dataset.GetAsciiString(DicomTag.SopClassUid);
        var sopInstance = file.Dataset.GetAsciiString(new DicomTag(0x0008, 0x0018));
        return sopClass is { Length: > 0 } && sopInstance is { Length: > 0 } ? (sopClass, sopInstance) : null;
    }

    /// <summary>
    /// Starts dcmtk's storescp writing what it receives bit for bit (+B) into <paramref name="directory"/>: what storescu
    /// actually sent, which is not always the file's bytes (dcmtk re-encodes group lengths, padding and item lengths).
    /// </summary>
    public static System.Diagnostics.Process StartStoreScp(string directory, IEnumerable<string> sopClasses, IEnumerable<string> transferSyntaxes, out string port)
    {
        // A profile of its own: storescp's built-in lists lack the retired JPEG syntaxes and the newest SOP classes.
        var config = new StringBuilder("[[TransferSyntaxes]]\n[TS]\n");
        int n = 0;
        foreach (var syntax in transferSyntaxes.Distinct()) config.AppendLine($"TransferSyntax{++n} = {syntax}");
        config.AppendLine("[[PresentationContexts]]\n[PC]");
        n = 0;
        foreach (var sopClass in sopClasses.Distinct()) config.AppendLine($"PresentationContext{++n} = {sopClass}\\TS");
        config.AppendLine("[[Profiles]]\n[Receive]\nPresentationContexts = PC");
        var configPath = Path.Combine(directory, "storescp.cfg");
        File.WriteAllText(configPath, config.ToString());
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        listener.Stop();
        var start = new System.Diagnostics.ProcessStartInfo("storescp") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "+B", "+uc", "-aet", "CLOUDANON", "-od", Path.Combine(directory, "received"), "-xf", configPath, "Receive", port }) start.ArgumentList.Add(argument);
        Directory.CreateDirectory(Path.Combine(directory, "received"));
        var process = System.Diagnostics.Process.Start(start)!;
        Thread.Sleep(500);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Metrics.Dispose();
    }
}
