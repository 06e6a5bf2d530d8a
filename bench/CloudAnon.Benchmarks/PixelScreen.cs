using System.Diagnostics;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Benchmarks;

/// <summary>
/// Whether a cheaper first screen — detection at a smaller long side, the full pass only where it finds any region —
/// would miss a file in which the full pass reads text. For each file (DICOM files in the folders given, or corpus
/// paths): the lines the cleaner's search reads (every rendering, full scale), and for each screen side the regions the
/// detector finds in the same renderings at that side, with the CPU time of a screen. Run:
/// dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pixel-screen DIR-or-corpus-path...
/// </summary>
internal static class PixelScreen
{
    private static readonly int[] Sides = [256, 320, 384, 448, 512];

    public static async Task<int> RunAsync(string[] paths)
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        using var detector = OnnxTextDetector.Open(threads: 1);
        using var recognizer = OnnxTextRecognizer.Open(threads: 1);
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p, "*.dcm").Order(StringComparer.Ordinal) : (IEnumerable<string>)[File.Exists(p) ? p : Corpus.Get(p).FullPath]).ToList();
        var withText = new int[Sides.Length];
        var missed = new int[Sides.Length];
        var screenedOut = new int[Sides.Length];
        var cpu = new double[Sides.Length];
        int textFiles = 0;
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"| file | size | lines read (full pass) | regions at {string.Join(" / ", Sides)} |");
        Console.WriteLine("|---|---|---|---|");
        for (int index = 0; index < files.Count; index++)
        {
            byte[] bytes = await File.ReadAllBytesAsync(files[index]);
            var (frames, palette) = await DecodedFile.ReadAsync(bytes);
            int lines = new TextSearch(detector, recognizer, Stopwatch.StartNew(), TimeSpan.FromMinutes(5)).Find(frames, palette).Texts.Count;
            var renderings = FrameRenderer.Renderings(frames.Frames[0], frames.Module, palette).ToList();
            if (lines > 0) textFiles++;
            var counts = new int[Sides.Length];
            for (int s = 0; s < Sides.Length; s++)
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                counts[s] = renderings.Sum(image => detector.DetectAt(image, Sides[s]).Count);
                process.Refresh();
                cpu[s] += (process.TotalProcessorTime - before).TotalMilliseconds;
                if (counts[s] == 0 && lines > 0) missed[s]++;
                if (counts[s] == 0) screenedOut[s]++;
                if (counts[s] > 0 && lines > 0) withText[s]++;
            }
            bool interesting = lines == 0 || counts.Any(c => c == 0) || files.Count < 50;
            if (interesting) Console.WriteLine($"| {(files.Count < 50 ? files[index] : $"{index + 1:0000}")} | {frames.Module.Columns} × {frames.Module.Rows} | {lines} | {string.Join(" / ", counts)} |");
        }
        Console.WriteLine();
        Console.WriteLine($"{files.Count} files, {textFiles} with text read by the full pass.");
        Console.WriteLine("| screen side | files the screen passes on (full pass runs) | files with text the screen misses | files the screen ends (no region) | CPU ms a screen (all renderings, mean) |");
        Console.WriteLine("|---|---|---|---|---|");
        for (int s = 0; s < Sides.Length; s++) Console.WriteLine($"| {Sides[s]} | {files.Count - screenedOut[s]} | {missed[s]} | {screenedOut[s]} | {cpu[s] / files.Count:0.0} |");
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}
