using Microsoft.Azure.WebJobs;

namespace CloudAnon.Functions.TestHost;

public sealed class FunctionHostOptions
{
    /// <summary>The published function app (<c>dotnet publish</c> output: functions.metadata, worker.config.json, host.json).</summary>
    public required string AppDirectory { get; init; }

    /// <summary>The worker's assembly in <see cref="AppDirectory"/>, without ".dll".</summary>
    public string AssemblyName { get; init; } = "CloudAnon.Functions";

    /// <summary>App settings, given to the WebJobs host (connections, %name% paths) and to the worker as environment variables.</summary>
    public required IReadOnlyDictionary<string, string?> Settings { get; init; }

    /// <summary>The host.json to apply; null means the app's own.</summary>
    public string? HostJsonPath { get; init; }

    /// <summary>
    /// Classes holding the WebJobs functions that forward to the worker (default: <see cref="Host.Functions"/>). Adding a
    /// trigger: add a method to Host.Functions (it is partial), register its extension with <see cref="ConfigureWebJobs"/>
    /// (the blobs and queues extensions are always registered).
    /// </summary>
    public IReadOnlyList<Type> FunctionTypes { get; init; } = [typeof(Host.Functions)];

    /// <summary>More WebJobs extensions, beyond the blobs and queues ones the host always registers.</summary>
    public Action<IWebJobsBuilder>? ConfigureWebJobs { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
