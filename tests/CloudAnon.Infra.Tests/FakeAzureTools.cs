using System.Diagnostics;

namespace CloudAnon.Infra.Tests;

/// <summary>
/// <c>az</c> and <c>azd</c> stand-ins (/bin/sh scripts) for running the azd hooks as azd would, on a PATH of their own.
/// The azd environment is a KEY="VALUE" file like .azure/&lt;env&gt;/.env; ARM resources are files under resources/,
/// named by their id; <c>az rest --method put --body @file</c> stores the file's content there. Every call's arguments
/// are logged, so a test can see what a hook did and that no secret travelled on a command line.
/// </summary>
internal sealed class FakeAzureTools : IDisposable
{
    public FakeAzureTools()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("cloudanon-fake-azd-").FullName;
        Bin = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "bin")).FullName;
        TempDirectory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "tmp")).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "resources"));
        File.WriteAllText(EnvironmentFile, "");
        WriteScript("azd", $$"""
            #!/bin/sh
            echo "azd $*" >> '{{CallLog}}'
            env_file='{{EnvironmentFile}}'
            case "$1 $2" in
              "env get-value")
                line=$(grep "^$3=" "$env_file" | tail -n 1)
                [ -n "$line" ] || { echo "ERROR: key '$3' not found in the environment values" >&2; exit 1; }
                value=${line#*=}; value=${value#\"}; printf '%s\n' "${value%\"}" ;;
              "env set")
                grep -v "^$3=" "$env_file" > "$env_file.new" || true
                printf '%s="%s"\n' "$3" "$4" >> "$env_file.new"; mv "$env_file.new" "$env_file" ;;
              "provision --no-prompt") ;;
              *) echo "fake azd: unexpected arguments: $*" >&2; exit 2 ;;
            esac
            """);
        WriteScript("az", $$$"""
            #!/bin/sh
            echo "az $*" >> '{{{CallLog}}}'
            resources='{{{Path.Combine(Directory, "resources")}}}'
            method=""; url=""; body=""
            [ "$1" = "rest" ] || { echo "fake az: unexpected arguments: $*" >&2; exit 2; }
            shift
            while [ $# -gt 0 ]; do
              case "$1" in
                --method) method="$2"; shift ;;
                --url) url="$2"; shift ;;
                --body) body="$2"; shift ;;
              esac
              shift
            done
            file="$resources/$(printf '%s' "${url%%\?*}" | tr '/' '_')"
            if [ -n "${FAKE_AZ_ERROR:-}" ]; then echo "ERROR: $FAKE_AZ_ERROR" >&2; exit 1; fi
            case "$method" in
              get) [ -f "$file" ] || { echo "ERROR: Not Found({\"error\":{\"code\":\"SecretNotFound\"}})" >&2; exit 1; } ;;
              put) cp "${body#@}" "$file" ;;
              *) echo "fake az: unexpected method $method" >&2; exit 2 ;;
            esac
            """);
    }

    public string Directory { get; }

    public string Bin { get; }

    /// <summary>TMPDIR of the hook, to see that it leaves nothing behind.</summary>
    public string TempDirectory { get; }

    /// <summary>The azd environment's values (the stand-in for .azure/&lt;env&gt;/.env).</summary>
    public string EnvironmentFile => Path.Combine(Directory, "env");

    public string CallLog => Path.Combine(Directory, "calls.log");

    public IReadOnlyList<string> Calls => File.Exists(CallLog) ? File.ReadAllLines(CallLog) : [];

    public void SetValue(string name, string value) => File.AppendAllText(EnvironmentFile, $"{name}=\"{value}\"\n");

    public string? Value(string name) =>
        File.ReadAllLines(EnvironmentFile).LastOrDefault(l => l.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..].Trim('"');

    /// <summary>The stored body of an ARM resource, or null when it does not exist.</summary>
    public string? Resource(string id)
    {
        var path = ResourcePath(id);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    public void PutResource(string id, string body) => File.WriteAllText(ResourcePath(id), body);

    /// <summary>
    /// Runs a hook in one of its forms as azd does: <c>sh</c> runs hook.sh with /bin/sh (azd's posix form), <c>pwsh</c>
    /// runs hook.ps1 with PowerShell (azd's windows form; here the repository's local dotnet tool). Returns the exit
    /// code and the output.
    /// </summary>
    public (int ExitCode, string Output) RunHook(string hook, string form, IReadOnlyDictionary<string, string>? environment = null)
    {
        var script = Path.Combine(RepositoryPaths.Infra, "hooks", $"{hook}.{(form == "pwsh" ? "ps1" : "sh")}");
        var startInfo = form == "pwsh"
            ? new ProcessStartInfo("dotnet") { ArgumentList = { "pwsh", "-NoProfile", "-NonInteractive", "-File", script } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { script } };
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.WorkingDirectory = RepositoryPaths.Root;
        startInfo.Environment["PATH"] = $"{Bin}:{Environment.GetEnvironmentVariable("PATH")}";
        startInfo.Environment["TMPDIR"] = TempDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }
        using var process = Process.Start(startInfo)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), $"{hook} did not finish");
        return (process.ExitCode, output + error.GetAwaiter().GetResult());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string ResourcePath(string id) => Path.Combine(Directory, "resources", id.Replace('/', '_'));

    private void WriteScript(string name, string text)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The hooks' posix form runs with /bin/sh.");
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
