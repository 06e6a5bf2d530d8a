using System.Text.Json;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.Pixels.Detection;
using CloudAnon.TestData;

namespace CloudAnon.Int8Detector;

/// <summary>
/// Where a detector pass spends its time: ONNX Runtime's own profile of 20 passes over the 640 × 480 Acuson frame,
/// summed by operator type (kernel time, one core), for the float or the int8 graph; it also shows which operators
/// ONNX Runtime made of the graph (QLinearConv where it fused the int8 convolutions), and the costliest nodes.
/// </summary>
internal static class PixelProfile
{
    private const int Passes = 20;

    public static async Task<int> RunAsync(Func<byte[], byte[]> graph)
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        var image = await AcusonFrameAsync();
        string prefix = Path.Combine(Path.GetTempPath(), "cloudanon-detector-profile");
        string profile;
        using (var detector = OnnxTextDetector.Open(null, threads: 1, graph, profilePrefix: prefix))
        {
            for (int i = 0; i < Passes + 1; i++) detector.Detect(image);
            profile = detector.EndProfiling();
        }
        Print(profile);
        File.Delete(profile);
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static async Task<RgbImage> AcusonFrameAsync()
    {
        await using var stream = File.OpenRead(Corpus.Get("private/acuson/YBR_FULL-RLE_Acuson.dcm").FullPath);
        using var file = await DicomFile.OpenAsync(stream);
        var frames = await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 30, CancellationToken.None);
        return FrameRenderer.Render(frames.Frames[0], frames.Module, null);
    }

    /// <summary>Kernel time by operator type, per pass (the first pass, which includes warm-up, is left out).</summary>
    private static void Print(string profilePath)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(profilePath));
        var runs = json.RootElement.EnumerateArray().Where(e => e.GetProperty("name").GetString() == "model_run").Select(e => e.GetProperty("ts").GetInt64()).Order().ToList();
        var kernelEvents = json.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("cat").GetString() == "Node" && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
            .Where(e => e.GetProperty("ts").GetInt64() >= runs[1])
            .ToList();
        var kernels = kernelEvents
            .GroupBy(e => e.GetProperty("args").GetProperty("op_name").GetString()!)
            .Select(g => (Op: g.Key, Nodes: g.Count() / Passes, Ms: g.Sum(e => e.GetProperty("dur").GetInt64()) / 1000.0 / Passes))
            .OrderByDescending(k => k.Ms).ToList();
        double total = kernels.Sum(k => k.Ms);
        Console.WriteLine("| operator | nodes | ms a pass | share |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (op, nodes, ms) in kernels) Console.WriteLine($"| {op} | {nodes} | {ms:0.0} | {ms / total:P0} |");
        Console.WriteLine($"| all kernels | {kernels.Sum(k => k.Nodes)} | {total:0.0} | |");
        Console.WriteLine();
        Console.WriteLine("| costliest nodes | operator | ms a pass |");
        Console.WriteLine("|---|---|---|");
        foreach (var node in kernelEvents.GroupBy(e => e.GetProperty("name").GetString()!)
            .Select(g => (Name: g.Key, Op: g.First().GetProperty("args").GetProperty("op_name").GetString(), Ms: g.Sum(e => e.GetProperty("dur").GetInt64()) / 1000.0 / Passes))
            .OrderByDescending(k => k.Ms).Take(10))
        {
            Console.WriteLine($"| {node.Name} | {node.Op} | {node.Ms:0.0} |");
        }
    }
}
