using System.Diagnostics;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Benchmarks;

/// <summary>
/// Files a second through the engine with Clean Pixel Data on, one file at a time, files in memory: an ultrasound cine
/// (default candidates), a CT slice as a series in every-image mode, and a large mammogram (a candidate by default where
/// projection radiography is), with the process's CPU time a file. Uses only the engine's public settings, so the same
/// file measures an older build too. Run: dotnet run -c Release --project bench/CloudAnon.Benchmarks -- pixel-files
/// </summary>
internal static class PixelFiles
{
    private static readonly (string Name, string File, string Options, int Files)[] Cases =
    [
        ("US cine, 10 frames 600 × 430 (RLE)", "modality/US_multiframe/US-PAL-8-10x-echo", "clean-pixel-data=on", 10),
        ("US cine, 30 frames 320 × 240 (JPEG baseline)", "modality/US_multiframe/examples_ybr_color_30frames.dcm", "clean-pixel-data=on", 10),
        ("CT series, 512 × 512, every-image", "modality/CT/SignedCT.dcm", "clean-pixel-data=on,pixel-candidates=every-image", 20),
        ("MG 2394 × 3062 (JPEG Lossless), default candidates", "modality/MG/GH133_GE_Senographe_MG.dcm", "clean-pixel-data=on", 5),
    ];

    public static async Task<int> RunAsync()
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| file | option | outcome | files/s | CPU ms a file |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (name, relativePath, option, count) in Cases)
        {
            if (!ProfileOptionNames.TryApply(new DeidentificationOptions { Irreversible = true, AllowAlreadyDeidentified = true }, option, out var options)) return 2;
            var deidentifier = new Deidentifier(options, new InMemoryMappingStore(), null);
            byte[] bytes = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
            string outcome = await DeidentifyAsync(deidentifier, bytes); // warm-up: models loaded, code jitted
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) await DeidentifyAsync(deidentifier, bytes);
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / count;
            Console.WriteLine($"| {name} | {option} | {outcome} | {count / clock.Elapsed.TotalSeconds:0.00} | {cpu:0} |");
        }
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static async Task<string> DeidentifyAsync(Deidentifier deidentifier, byte[] bytes)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(bytes, writable: false));
        try
        {
            var result = await deidentifier.DeidentifyAsync(file);
            await file.SaveAsync(new CountingStream());
            return result.PixelCleaning?.Cleaned == true ? "cleaned" : "not cleaned";
        }
        catch (DeidentificationException e)
        {
            return "quarantined: " + e.Failure;
        }
    }
}
