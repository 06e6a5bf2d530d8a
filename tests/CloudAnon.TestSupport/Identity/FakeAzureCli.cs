using System.Globalization;
using System.Text;

namespace CloudAnon.TestSupport;

/// <summary>
/// An <c>az</c> executable for a child process's PATH: DefaultAzureCredential's Azure CLI step (AzureCliCredential) runs
/// <c>az account get-access-token --output json --resource R</c> through /bin/sh with the caller's PATH, and this script
/// answers it as the real CLI does, with the token given for resource R, or fails as an az that is not signed in to R.
/// Each call is appended to a log, so a test can see the credential really went this way.
/// </summary>
public sealed class FakeAzureCli : IDisposable
{
    private readonly string _log;

    /// <param name="tokensByResource">Resource (scope without /.default, e.g. https://storage.azure.com) → access token.</param>
    public FakeAzureCli(IReadOnlyDictionary<string, string> tokensByResource)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The fake az is a /bin/sh script, as AzureCliCredential runs it on Linux and macOS.");
        Directory = System.IO.Directory.CreateTempSubdirectory("cloudanon-fake-az-").FullName;
        _log = Path.Combine(Directory, "calls.log");
        var expiresOn = DateTimeOffset.UtcNow.AddHours(1);
        var script = new StringBuilder($$"""
            #!/bin/sh
            # Test stand-in for the Azure CLI (made by CloudAnon.TestSupport.FakeAzureCli).
            echo "$*" >> '{{_log}}'
            resource=""
            while [ $# -gt 0 ]; do
              if [ "$1" = "--resource" ]; then resource="$2"; fi
              shift
            done
            case "$resource" in

            """);
        foreach (var (resource, token) in tokensByResource)
        {
            script.Append(CultureInfo.InvariantCulture, $$"""
                  '{{resource}}') printf '%s\n' '{"accessToken":"{{token}}","expiresOn":"{{expiresOn.ToLocalTime():yyyy-MM-dd HH:mm:ss.ffffff}}","expires_on":{{expiresOn.ToUnixTimeSeconds()}},"subscription":"00000000-0000-0000-0000-000000000001","tenant":"00000000-0000-0000-0000-000000000000","tokenType":"Bearer"}' ;;

                """);
        }

        script.Append("""
              *) echo "ERROR: AADSTS500011: The resource principal named $resource was not found (fake az)." >&2; exit 1 ;;
            esac

            """);
        var path = Path.Combine(Directory, "az");
        File.WriteAllText(path, script.ToString());
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The directory holding <c>az</c>; see <see cref="PathVariable"/>.</summary>
    public string Directory { get; }

    /// <summary>PATH for the child process: this <c>az</c> first, then the current PATH.</summary>
    public string PathVariable => $"{Directory}:{Environment.GetEnvironmentVariable("PATH")}";

    /// <summary>The argument lines of every call so far.</summary>
    public IReadOnlyList<string> Calls => File.Exists(_log) ? File.ReadAllLines(_log) : [];

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
