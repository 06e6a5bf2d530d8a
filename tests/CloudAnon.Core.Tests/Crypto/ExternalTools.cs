using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Crypto;

/// <summary>The reference tools of the interop tests (gdcmanon, openssl, Debian's python3 with pydicom), run by <see cref="ExternalTool"/>.</summary>
internal static class ExternalTools
{
    public const string Gdcmanon = "gdcmanon";
    public const string OpenSsl = "openssl";
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    // pydicom keeps the project's own DICOM codec out of these tests; it pads odd OB values with one 0x00, as gdcm does.
    private const string ExtractEncryptedContentScript = """
        import sys, pydicom
        items = pydicom.dcmread(sys.argv[1]).EncryptedAttributesSequence
        open(sys.argv[2], 'wb').write(items[0].EncryptedContent)
        sys.stdout.write('%d %s' % (len(items), items[0].EncryptedContentTransferSyntaxUID))
        """;

    private const string ReplaceEncryptedContentScript = """
        import sys, pydicom
        ds = pydicom.dcmread(sys.argv[1])
        ds.EncryptedAttributesSequence[0].EncryptedContent = open(sys.argv[2], 'rb').read()
        ds.save_as(sys.argv[3])
        """;

    public static string CorpusPath(params string[] relativePath) =>
        Path.Combine([Corpus.Directory, .. relativePath]);

    /// <summary>Writes (0400,0520) of the first Encrypted Attributes item to <paramref name="outputPath"/>; returns "itemCount transferSyntaxUid".</summary>
    public static Task<string> ExtractEncryptedContentAsync(string dicomPath, string outputPath) =>
        RunAsync(Python, "-c", ExtractEncryptedContentScript, dicomPath, outputPath);

    public static Task ReplaceEncryptedContentAsync(string dicomPath, string encryptedContentPath, string outputPath) =>
        RunAsync(Python, "-c", ReplaceEncryptedContentScript, dicomPath, encryptedContentPath, outputPath);

    /// <summary>Runs <paramref name="program"/> and returns its standard output; throws with its standard error unless it exits with 0.</summary>
    public static Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = ExternalTool.Run(program, arguments, Timeout);
        return result.ExitCode == 0
            ? Task.FromResult(result.StandardOutput)
            : throw new InvalidOperationException($"{program} {arguments.FirstOrDefault()} exited with {result.ExitCode}: {result.StandardError}");
    }
}
