using System.Diagnostics;

namespace CloudAnon.TestSupport;

/// <summary>Runs an oracle program (dcmdump, gdcmanon, dciodvfy …) with a time limit. A missing tool fails the test with a clear message.</summary>
public static class ExternalTool
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static Result Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Locate(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time.");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result Run(string program, params string[] arguments) => Run(program, arguments, null);

    /// <summary>Runs <paramref name="program"/> on <paramref name="content"/> written to a temporary file, whose path follows <paramref name="arguments"/>.</summary>
    public static Result RunOnBytes(byte[] content, string program, params string[] arguments)
    {
        string path = Path.Combine(Path.GetTempPath(), $"cloudanon-oracle-{Guid.NewGuid():N}.dcm");
        try
        {
            File.WriteAllBytes(path, content);
            return Run(program, [.. arguments, path]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static string Locate(string program)
    {
        if (Path.IsPathRooted(program)) return program;
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string candidate = Path.Combine(directory, program);
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException($"{program} is not installed; .ci/run installs it (apt-get install dcmtk libgdcm-tools dicom3tools).");
    }
}
