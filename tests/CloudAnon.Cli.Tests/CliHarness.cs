using System.Security.Cryptography.X509Certificates;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// A scratch directory with copies of corpus files and a certificate/key pair generated for the test, plus ways to run
/// cloudanon (in process, or as the built cloudanon.dll) and gdcmanon on the same inputs.
/// </summary>
public sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("anon-cli-tests-").FullName;
        using X509Certificate2 certificate = TestCertificates.CreateRsa("cloudanon cli test");
        CertificatePath = System.IO.Path.Combine(Directory, "cert.pem");
        KeyPath = System.IO.Path.Combine(Directory, "key.pem");
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetRSAPrivateKey()!;
        File.WriteAllText(KeyPath, key.ExportRSAPrivateKeyPem());
    }

    public string Directory { get; }
    public string CertificatePath { get; }
    public string KeyPath { get; }

    public const string ExplicitMr = "ts/explicit_le/MR_small.dcm";
    public const string ImplicitSiemens = "private/siemens_csa/nibabel_0.dcm";
    public const string NotDicom = "non-dicom/HelloWorld.pdf";

    public string Path(params string[] parts) => System.IO.Path.Combine([Directory, .. parts]);

    /// <summary>Copies a corpus file into the scratch directory (tools never touch ../shared in place).</summary>
    public string Copy(string corpusPath, params string[] destination)
    {
        string target = Path(destination);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(Corpus.Get(corpusPath).FullPath, target, overwrite: true);
        File.SetAttributes(target, FileAttributes.Normal);
        return target;
    }

    public sealed record Run(int ExitCode, string Out, string Error);

    /// <summary>The anonymizer in process: the same entry as the executable, with stderr captured.</summary>
    public static Run InProcess(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AnonCommand.RunAsync(args, new CliConsole(TextWriter.Synchronized(output), TextWriter.Synchronized(error), ErrorIsTerminal: false), CancellationToken.None)
            .GetAwaiter().GetResult();
        return new Run(code, output.ToString(), error.ToString());
    }

    /// <summary>The built cloudanon.dll as a separate process, as scripts run it.</summary>
    public static Run Process(params string[] args) => Process(args, new Dictionary<string, string>());

    /// <summary>The built cloudanon.dll with extra environment variables.</summary>
    public static Run Process(string[] args, IDictionary<string, string> environment)
    {
        var result = ExternalTool.Run("dotnet", [DllPath, .. args], TimeSpan.FromSeconds(120), environment);
        return new Run(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary>The built cloudanon.dll, for a test that runs it as a long-lived process of its own (the gateway).</summary>
    public static string DllPath => System.IO.Path.Combine(CliBuildDirectory, "cloudanon.dll");

    /// <summary>
    /// The CLI project's own output (same configuration as the tests): run from there, cloudanon.dll finds its own
    /// dependencies; the copy in the test's output would resolve them through the test's deps file.
    /// </summary>
    private static string CliBuildDirectory
    {
        get
        {
            string testOutput = System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
            string framework = System.IO.Path.GetFileName(testOutput);
            string configuration = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(testOutput)!);
            return System.IO.Path.Combine(Corpus.RepositoryRoot, "src", "CloudAnon.Cli", "bin", configuration, framework);
        }
    }

    public static Run Gdcmanon(params string[] args)
    {
        var result = ExternalTool.Run("gdcmanon", args, TimeSpan.FromSeconds(120));
        return new Run(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary>dcmdump's listing of the data set only: File Meta lines differ by writer and are not the edits compared.</summary>
    public static string DatasetListing(string file)
    {
        var dump = ExternalTool.Run("dcmdump", ["-q", file]);
        Assert.True(dump.ExitCode == 0, $"dcmdump failed on {file}: {dump.StandardError}");
        return string.Join('\n', dump.StandardOutput.Split('\n').Where(l => l.StartsWith('(') && !l.StartsWith("(0002,", StringComparison.Ordinal)));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
