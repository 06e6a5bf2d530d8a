using System.Diagnostics;

namespace CloudAnon.Infra.Tests;

/// <summary>Runs the Bicep compiler that the test project restores from NuGet (Azure.Bicep.CommandLine.linux-x64).</summary>
internal static class BicepCli
{
    private const string PackageId = "azure.bicep.commandline.linux-x64";
    private const string PackageVersion = "0.49.2";

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Diagnostics => StandardOutput + StandardError;
    }

    public static Result Run(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("bicep did not start.");
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException("bicep did not finish within two minutes.");
        }
        return new Result(process.ExitCode, standardOutput, standardError.GetAwaiter().GetResult());
    }

    private static string ExecutablePath()
    {
        var packagesRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(packagesRoot, PackageId, PackageVersion, "tools", "bicep");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Bicep CLI not found; restore the test project (PackageDownload {PackageId} {PackageVersion}).", path);
        }
        // The package ships a linux-x64 binary; make sure it carries the execute bit, which an extraction may drop.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if (!mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
            }
        }
        return path;
    }
}
