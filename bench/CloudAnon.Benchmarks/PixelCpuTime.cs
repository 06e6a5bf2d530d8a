using System.Diagnostics;
using System.Runtime;

namespace CloudAnon.Benchmarks;

/// <summary>
/// The Clean Pixel Data benchmarks' operations timed by the process's CPU time as well as by the clock. On a shared
/// machine the clock also counts the time other work held the core; CPU time counts what this process used (the
/// detector runs on the calling thread; GC and JIT threads are included, so it is an upper bound).
/// </summary>
internal static class PixelCpuTime
{
    private const int WarmUp = 3, Runs = 20;

    public static async Task<int> RunAsync()
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| frame | operation | CPU ms | wall ms | JIT ms in the runs |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (string frame in new[] { "640x480", "1024x768" })
        {
            var benchmarks = new CleanPixelDataBenchmarks { Frame = frame };
            await benchmarks.Setup();
            await ReportAsync($"{frame} | detection (one pass)", () => Task.FromResult(benchmarks.Detection()));
            await ReportAsync($"{frame} | blanking", () => Task.FromResult(benchmarks.Blanking()));
            await ReportAsync($"{frame} | one single-frame file through the cleaner", benchmarks.CleanOneFrameFile);
            await ReportAsync($"{frame} | whole file through the engine, clean-pixel-data=on", benchmarks.DeidentifyWithCleanPixelData);
            benchmarks.Cleanup();
        }
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    /// <summary>
    /// Prints a table row: <paramref name="label"/>, then CPU and clock milliseconds per run of <paramref name="runs"/>
    /// (after a warm-up), and the milliseconds the JIT compiled for during those runs.
    /// </summary>
    /// <param name="untilCompiled">
    /// Warm up until the JIT has compiled nothing for <see cref="QuietJit"/>: tiered compilation recompiles hot methods
    /// on a background thread, whose CPU time would otherwise count in the first few hundred runs.
    /// </param>
    internal static async Task ReportAsync<T>(string label, Func<Task<T>> run, int runs = Runs, bool untilCompiled = false)
    {
        for (int i = 0; i < WarmUp; i++) await run();
        if (untilCompiled) await WarmUntilCompiledAsync(run);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var jitBefore = JitInfo.GetCompilationTime();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) await run();
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / runs, wall = clock.Elapsed.TotalMilliseconds / runs;
        Console.WriteLine($"| {label} | {cpu:0.000} | {wall:0.000} | {(JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds:0.0} |");
    }

    private static readonly TimeSpan QuietJit = TimeSpan.FromMilliseconds(500), MostWarmUp = TimeSpan.FromSeconds(30);

    private static async Task WarmUntilCompiledAsync<T>(Func<Task<T>> run)
    {
        var warmUp = Stopwatch.StartNew();
        long compiled;
        do
        {
            compiled = JitInfo.GetCompiledMethodCount();
            var stretch = Stopwatch.StartNew();
            while (stretch.Elapsed < QuietJit) await run();
        }
        while (JitInfo.GetCompiledMethodCount() != compiled && warmUp.Elapsed < MostWarmUp);
    }
}
