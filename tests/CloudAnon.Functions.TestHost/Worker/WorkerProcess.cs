using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions.TestHost.Worker;

/// <summary>
/// The isolated worker, started as the Functions host starts it: <c>dotnet &lt;app&gt;/&lt;assembly&gt;.dll</c> with both
/// spellings of the host's arguments, the host's environment and every app setting. Its console output is logged under
/// <c>Host.Function.Console</c>, as the Functions host does.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Completes when the worker process ends; its result is the exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public static WorkerProcess Start(string appDirectory, string assemblyName, Uri hostEndpoint, IReadOnlyDictionary<string, string?> settings, ILogger console)
    {
        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(appDirectory, assemblyName + ".dll"),
            "--host", hostEndpoint.Host, "--port", hostEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", $"{int.MaxValue}",
            "--functions-uri", hostEndpoint.ToString(), "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", $"{int.MaxValue}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker did not start.");
        process.OutputDataReceived += (_, line) => LogLine(console, LogLevel.Information, line.Data);
        process.ErrorDataReceived += (_, line) => LogLine(console, LogLevel.Error, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static void LogLine(ILogger console, LogLevel level, string? line)
    {
        if (line is not null)
        {
            console.Log(level, default, line, null, static (message, _) => message);
        }
    }
}
