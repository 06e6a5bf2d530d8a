using System.Diagnostics;

namespace CloudAnon.TestSupport;

/// <summary>
/// The CPU time (user + system) named processes used since the meter started: on a machine whose cores the emulator,
/// the host and the worker share, it says which of them a throughput figure was bound by.
/// </summary>
public sealed class CpuMeter
{
    private readonly IReadOnlyList<(string Name, int ProcessId, TimeSpan Start)> _processes;

    public CpuMeter(IEnumerable<(string Name, int ProcessId)> processes) =>
        _processes = [.. processes.Select(p => (p.Name, p.ProcessId, CpuTime(p.ProcessId)))];

    /// <summary>Each process's CPU milliseconds per unit of work since the start, e.g. "worker 12.3 ms".</summary>
    public string PerUnit(int units, string unit) =>
        string.Join(", ", _processes.Select(p => $"{p.Name} {(CpuTime(p.ProcessId) - p.Start).TotalMilliseconds / units:F1} ms")) + $" of CPU per {unit}";

    private static TimeSpan CpuTime(int processId)
    {
        using var process = Process.GetProcessById(processId);
        return process.TotalProcessorTime;
    }
}
