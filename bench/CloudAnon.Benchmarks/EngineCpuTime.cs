namespace CloudAnon.Benchmarks;

/// <summary>
/// The engine benchmarks' operations (<see cref="DeidentificationBenchmarks"/>) timed by the process's CPU time as well as
/// by the clock, for comparisons on a shared machine, where the clock also counts the time other work held the core.
/// </summary>
internal static class EngineCpuTime
{
    /// <param name="runs">Runs of each operation after the warm-up (300 by default; more on a loaded machine).</param>
    public static async Task<int> RunAsync(int runs = 300)
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| operation | CPU ms | wall ms | JIT ms in the runs |");
        Console.WriteLine("|---|---|---|---|");
        var benchmarks = new DeidentificationBenchmarks();
        benchmarks.Setup();
        await PixelCpuTime.ReportAsync("ReversibleCt512", benchmarks.ReversibleCt512, runs, untilCompiled: true);
        await PixelCpuTime.ReportAsync("IrreversibleCt512", benchmarks.IrreversibleCt512, runs, untilCompiled: true);
        await PixelCpuTime.ReportAsync("IrreversibleJpegCine30", benchmarks.IrreversibleJpegCine30, runs, untilCompiled: true);
        benchmarks.Cleanup();
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}
