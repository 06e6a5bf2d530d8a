using System.Diagnostics;

namespace CloudAnon.TestSupport;

/// <summary>`dotnet publish` of src/CloudAnon.Functions, as it is deployed (functions.metadata, worker.config.json, host.json).</summary>
public static class FunctionAppPublish
{
    /// <summary>
    /// Publishes with --no-build: the test run already built the function project in <paramref name="configuration"/>
    /// (the calling test project references it), so publishing copies its output in a few seconds.
    /// </summary>
    public static async Task PublishAsync(string configuration, string output)
    {
        var project = Path.Combine(Corpus.RepositoryRoot, "src", "CloudAnon.Functions", "CloudAnon.Functions.csproj");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", project, "--no-build", "-c", configuration, "-o", output, "-nologo" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        var text = string.Concat(await log.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed:{Environment.NewLine}{text}");
        }
    }
}
