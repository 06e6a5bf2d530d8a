namespace CloudAnon.Benchmarks;

/// <summary>
/// The engine benchmarks' operations (<see cref="DeidentificationBenchmarks"/>) timed by the process's CPU time as well as
/// by the clock, for comparisons on a shared machine, where the clock also counts the time other work held the core.
/// </summary>
internal static class EngineCpuTime
{
    private const int Runs = 300;

    public static async Task<int> RunAsync()
    {
        Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| operation | CPU ms | wall ms |");
        Console.WriteLine("|---|---|---|");
        var benchmarks = new DeidentificationBenchmarks();
        benchmarks.Setup();
        await PixelCpuTime.ReportAsync("ReversibleCt512", benchmarks.ReversibleCt512, Runs);
        await PixelCpuTime.ReportAsync("IrreversibleCt512", benchmarks.IrreversibleCt512, Runs);
        await PixelCpuTime.ReportAsync("IrreversibleJpegCine30", benchmarks.IrreversibleJpegCine30, Runs);
        benchmarks.Cleanup();
        Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}
