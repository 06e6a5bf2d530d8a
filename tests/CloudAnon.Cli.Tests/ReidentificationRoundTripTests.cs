using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// Round trips with gdcmanon as the other side, through the CLI: gdcmanon -d re-identifies cloudanon -e's output, and
/// cloudanon -d re-identifies gdcmanon -e's output with the private key alone (--key, no certificate). Both must give
/// back the original data set as pydicom reads it (Oracles/dataset_listing.py), not as CloudAnon's codec does.
/// Keys and certificates come from openssl at run time.
/// </summary>
public sealed class ReidentificationRoundTripTests(OpenSslRecipient recipient) : IClassFixture<OpenSslRecipient>
{
    /// <summary>The synthetic instance built by dump2dcm from Oracles/nested-sequences.dump (values at depth 1 to 3).</summary>
    private const string Synthetic = "synthetic nested sequences";

    /// <summary>
    /// Implicit and explicit VR, private blocks, nested and undefined-length sequences, ISO 2022 text, encapsulated
    /// and deflated. Not UN-encoded files: GDCM's writer re-types UN whose VR it knows (gdcmanon's own round trip too).
    /// </summary>
    public static TheoryData<string> Inputs() =>
    [
        "ts/implicit_le/MR_small_implicit.dcm",
        "private/siemens_csa/nibabel_0.dcm",
        "modality/PT/GH184_GE_PET.dcm",
        "structure/simple-test_nested.dcm",
        "structure/GH178_undefined_length_sq.dcm",
        "charset/chrJapMulti.dcm",
        "ts/jpeg_lossless_sv1/CT-JPEGLosslessSV1.dcm",
        "ts/deflated/image_dfl.dcm",
        Synthetic,
    ];

    /// <summary>
    /// What gdcmanon -d cannot take away because its own -e never writes them: De-identification Method Code Sequence
    /// and Longitudinal Temporal Information Modified, which CloudAnon adds (PS3.15 E.1.1). gdcmanon -d removes (0400,0500),
    /// (0012,0062) and (0012,0063) only.
    /// </summary>
    private static readonly string[] MarksGdcmanonKeeps = ["(0012,0064)", "(0028,0303)"];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Gdcmanon_re_identifies_cloudanon_output(string input)
    {
        string original = Original(input);
        string deidentified = recipient.Path($"{Name(input)}.ours.dcm");
        string back = recipient.Path($"{Name(input)}.ours-back.dcm");

        var ours = CliHarness.InProcess("-e", "-c", recipient.CertificatePath, original, deidentified);
        Assert.True(ours.ExitCode == 0, ours.Error);
        var gdcm = CliHarness.Gdcmanon("-d", "-k", recipient.KeyPath, deidentified, back);
        Assert.True(gdcm.ExitCode == 0, gdcm.Error);

        var (expected, anonymous, restored) = Listings(original, deidentified, back);
        AssertDeidentified(expected, anonymous);
        var kept = restored.Where(line => !expected.Contains(line) && MarksGdcmanonKeeps.Any(line.StartsWith)).ToHashSet();
        if (expected.FirstOrDefault(line => line.StartsWith(PixelData, StringComparison.Ordinal)) is { } pixels && !restored.Contains(pixels))
        {
            // The codestream's metadata (APPn, COM) was stripped and is not among the encrypted originals: the pixels must decode the same.
            kept.UnionWith(restored.Where(line => line.StartsWith(PixelData, StringComparison.Ordinal)));
            expected = [.. expected.Where(line => !line.StartsWith(PixelData, StringComparison.Ordinal))];
            Assert.Equal(DecodedPixelData(original, recipient.Path($"{Name(input)}.raw.dcm")), DecodedPixelData(back, recipient.Path($"{Name(input)}.back-raw.dcm")));
        }
        DatasetListing.AssertSame(expected, [.. restored.Where(line => !kept.Contains(line))]);
    }

    private const string PixelData = "(7fe0,0010)";

    /// <summary>Pixel Data as GDCM decodes it (gdcmconv --raw), in pydicom's listing.</summary>
    private static string DecodedPixelData(string file, string raw)
    {
        var result = ExternalTool.Run("gdcmconv", ["--raw", file, raw]);
        Assert.True(result.ExitCode == 0, $"gdcmconv --raw failed: {result.StandardError}");
        return DatasetListing.Of(raw)[0].Single(line => line.StartsWith(PixelData, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Cloudanon_re_identifies_gdcmanon_output_with_the_private_key_alone(string input)
    {
        string original = Original(input);
        string deidentified = recipient.Path($"{Name(input)}.gdcmanon.dcm");
        string back = recipient.Path($"{Name(input)}.gdcmanon-back.dcm");

        var gdcm = CliHarness.Gdcmanon("-e", "-c", recipient.CertificatePath, original, deidentified);
        Assert.True(gdcm.ExitCode == 0, gdcm.Error);
        var ours = CliHarness.Process("--key", recipient.KeyPath, "-d", deidentified, back);
        Assert.True(ours.ExitCode == 0, ours.Error);

        var (expected, anonymous, restored) = Listings(original, deidentified, back);
        AssertDeidentified(expected, anonymous);
        DatasetListing.AssertSame(expected, restored);
    }

    [Fact]
    public void A_wrong_private_key_fails_like_gdcmanon_with_a_clear_reason_and_no_output()
    {
        string original = Original(Synthetic);
        string deidentified = recipient.Path("wrong-key.gdcmanon.dcm");
        Assert.Equal(0, CliHarness.Gdcmanon("-e", "-c", recipient.CertificatePath, original, deidentified).ExitCode);

        var gdcm = CliHarness.Gdcmanon("-d", "-k", recipient.OtherKeyPath, deidentified, recipient.Path("wrong-key.g.dcm"));
        var ours = CliHarness.Process("--key", recipient.OtherKeyPath, "-d", deidentified, recipient.Path("wrong-key.c.dcm"));

        Assert.Equal(1, gdcm.ExitCode);
        Assert.Equal(gdcm.ExitCode, ours.ExitCode);
        Assert.Contains("not re-identified (DecryptionFailed)", ours.Error);
        Assert.DoesNotContain("Nested", ours.Error);
        Assert.DoesNotContain("Unhandled", ours.Error);
        Assert.False(File.Exists(recipient.Path("wrong-key.c.dcm")));
    }

    private string Original(string input)
    {
        if (input != Synthetic) return Corpus.Get(input).FullPath;
        string built = recipient.Path("synthetic-nested.dcm");
        if (!File.Exists(built))
        {
            var dump2dcm = ExternalTool.Run("dump2dcm", "+te", Path.Combine(AppContext.BaseDirectory, "Oracles", "nested-sequences.dump"), built);
            Assert.True(dump2dcm.ExitCode == 0, dump2dcm.StandardError);
        }
        return built;
    }

    private static (IReadOnlyList<string> Original, IReadOnlyList<string> Deidentified, IReadOnlyList<string> Reidentified) Listings(string original, string deidentified, string reidentified)
    {
        var listings = DatasetListing.Of(original, deidentified, reidentified);
        return (listings[0], listings[1], listings[2]);
    }

    private static string Name(string input) => Path.GetFileNameWithoutExtension(input).Replace(' ', '-');

    /// <summary>The round trip is not vacuous: the de-identified file lost the original's (non-empty) name and SOP Instance UID.</summary>
    private static void AssertDeidentified(IReadOnlyList<string> original, IReadOnlyList<string> deidentified)
    {
        foreach (string tag in new[] { "(0010,0010)", "(0008,0018)" })
        {
            string? line = original.FirstOrDefault(l => l.StartsWith(tag, StringComparison.Ordinal) && !l.EndsWith("''", StringComparison.Ordinal));
            if (line is not null) Assert.DoesNotContain(line, deidentified);
        }
        Assert.Contains(deidentified, line => line.StartsWith("(0400,0500)", StringComparison.Ordinal));
    }
}

/// <summary>A throwaway RSA-2048 recipient from openssl (certificate and PKCS#8 key, as operators make them) and a second, unrelated key.</summary>
public sealed class OpenSslRecipient : IDisposable
{
    public OpenSslRecipient()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("cloudanon-roundtrip-").FullName;
        Run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", KeyPath, "-out", CertificatePath, "-subj", "/CN=CloudAnon round trip", "-days", "1");
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", OtherKeyPath);
    }

    public string Directory { get; }
    public string CertificatePath => Path("cert.pem");
    public string KeyPath => Path("key.pem");
    public string OtherKeyPath => Path("other-key.pem");

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static void Run(params string[] arguments)
    {
        var result = ExternalTool.Run("openssl", arguments);
        Assert.True(result.ExitCode == 0, $"openssl {arguments[0]} failed: {result.StandardError}");
    }
}

/// <summary>pydicom's view of a data set (Oracles/dataset_listing.py): one line per element, values as stored, any sequence length encoding.</summary>
internal static class DatasetListing
{
    /// <summary>The listings of <paramref name="files"/>, in their order.</summary>
    public static IReadOnlyList<string>[] Of(params string[] files)
    {
        var result = ExternalTool.Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Oracles", "dataset_listing.py"), .. files]);
        Assert.True(result.ExitCode == 0, $"pydicom could not list {string.Join(", ", files.Select(Path.GetFileName))}: {result.StandardError}");
        var listings = new List<List<string>>();
        foreach (string line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# file ", StringComparison.Ordinal)) listings.Add([]);
            else listings[^1].Add(line);
        }
        Assert.Equal(files.Length, listings.Count);
        return [.. listings];
    }

    public static void AssertSame(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && expected.Count == actual.Count,
            $"data sets differ ({expected.Count} and {actual.Count} elements):\n" + string.Join('\n', missing.Select(l => "- " + l).Concat(extra.Select(l => "+ " + l))));
    }
}
