using System.Security.Cryptography;
using Azure.Storage.Queues;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// The executable users install, installed by scripts/install-cli.sh (the Native AOT publish) from a fresh clone under a
/// temporary prefix and run through its link in bin/ as a process — not the assemblies — through every verb, with process and backfill against
/// Azurite. Installed once per test run.
/// </summary>
public sealed class PublishedBinaryTests : IDisposable
{
    private const string PhilipsUltrasound = "private/philips_us/OBXXXX1A_rle_PhilipsUS.dcm";
    private static readonly Lazy<string> Binary = new(Install);
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void Local_verbs_work_in_the_native_binary()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");

        Assert.Equal(0, Run("--help").ExitCode);
        Assert.Equal(0, Run("-e", "-c", _harness.CertificatePath, input, _harness.Path("enc.dcm")).ExitCode);
        Assert.Equal(0, Run("-d", "-k", _harness.KeyPath, "-c", _harness.CertificatePath, _harness.Path("enc.dcm"), _harness.Path("dec.dcm")).ExitCode);
        Assert.Equal(0, Run("--dumb", "--remove", "10,10", input, _harness.Path("dumb.dcm")).ExitCode);
        Assert.Equal(0, Run("convert", input, _harness.Path("implicit.dcm"), "-t", "implicit").ExitCode);
        var dump = Run("dump", _harness.Path("dec.dcm"));
        Assert.Equal(0, dump.ExitCode);
        Assert.Contains("(0008,0018)", dump.Out);
        Assert.Equal(0, Run("backfill", "--help").ExitCode);

        // Clean Pixel Data loads ONNX Runtime and the model from beside the installed executable, not from bin/.
        var cleaned = Run("-e", "--irreversible", "--option", "clean-pixel-data=on", "--audit", _harness.Path("audit"), "-i", Corpus.Get(PhilipsUltrasound).FullPath, "-o", _harness.Path("us.dcm"));
        Assert.True(cleaned.ExitCode == 0, cleaned.Error);
        Assert.Contains("Clean Pixel Data Option", Run("dump", _harness.Path("us.dcm")).Out);

        // The report reads the record and writes the page and its JSON with source-generated serializers, and renders
        // the preview from the output found among the folder's files.
        var report = Run("report", "--audit", _harness.Path("audit"), "--egress", _harness.Directory, "-o", _harness.Path("report.html"));
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(_harness.Path("report.html")), "<img [^>]*src=\"data:image/png;base64,"));
        Assert.Equal(0, Run("report", "--audit", _harness.Path("audit"), "--egress", _harness.Directory, "--json", "-o", _harness.Path("report.json")).ExitCode);
        Assert.Contains("\"pixelCleaned\": [", File.ReadAllText(_harness.Path("report.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_and_backfill_work_in_the_native_binary_against_Azurite()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        string ingress = AzuriteInstance.NewContainerName("ingress"), egress = AzuriteInstance.NewContainerName("egress");
        string quarantine = AzuriteInstance.NewContainerName("quarantine"), table = AzuriteInstance.NewTableName("mappings");
        string queue = AzuriteInstance.NewContainerName("backfill");
        var ingressClient = azurite.CreateBlobServiceClient().GetBlobContainerClient(ingress);
        await ingressClient.CreateAsync();
        foreach (var (name, corpusFile) in new[] { ("a.dcm", CliHarness.ExplicitMr), ("b.dcm", CliHarness.ImplicitSiemens), ("c.pdf", CliHarness.NotDicom) })
        {
            await ingressClient.GetBlobClient(name).UploadAsync(Corpus.Get(corpusFile).FullPath);
        }

        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString,
            ["CLOUDANON_MAPPING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        string[] where = ["--ingress", ingress, "--table", table];

        var backfill = Run([.. where, "--queue", queue], environment, "backfill");
        Assert.True(backfill.ExitCode == 0, backfill.Error);
        Assert.Contains("3 messages sent", backfill.Out);
        var messages = new QueueClient(azurite.ConnectionString, queue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Assert.Equal(["a.dcm", "b.dcm", "c.pdf"], (await messages.ReceiveMessagesAsync(10)).Value.Select(m => m.MessageText).Order());

        var process = Run([.. where, "--egress", egress, "--quarantine", quarantine, "--certificate", _harness.CertificatePath], environment, "process");
        Assert.True(process.ExitCode == 0, process.Error);
        Assert.Contains("egress 2, quarantine 1", process.Out);
        var outputs = (await BlobListing.ListAsync(azurite.CreateBlobServiceClient().GetBlobContainerClient(egress))).Select(blob => blob.Name).ToList();
        Assert.Equal(2, outputs.Count);
        Assert.All(outputs, name => Assert.Matches(@"^[0-9.]+/[0-9.]+/[0-9.]+\.dcm$", name));
        Assert.NotEmpty(azurite.CreateTableServiceClient().GetTableClient(table).Query<global::Azure.Data.Tables.TableEntity>(filter: "PartitionKey ne 'backfill'"));

        // A second run over the same study reads the stored rows back: the SDK builds each one by reflection, which the
        // trimmer broke once (MissingMethodException on every file whose study the table already knew).
        string again = AzuriteInstance.NewContainerName("again");
        var againClient = azurite.CreateBlobServiceClient().GetBlobContainerClient(again);
        await againClient.CreateAsync();
        await againClient.GetBlobClient("a.dcm").UploadAsync(Corpus.Get(CliHarness.ExplicitMr).FullPath);
        var rerun = Run(["--ingress", again, "--table", table, "--egress", egress, "--quarantine", quarantine, "--certificate", _harness.CertificatePath], environment, "process");
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        Assert.Contains("failed 0", rerun.Out);
    }

    /// <summary>
    /// The deployed set-up in the native binary: backfill and process on an account by endpoint with Entra ID, the
    /// certificate and the mapping key from Key Vault; then the output re-identified with the key from the same vault. DefaultAzureCredential signs in
    /// through a fake <c>az</c> (a token per resource), the vault is reached by a vault.azure.net name through a CONNECT
    /// proxy (default client options check the challenge's domain), and both TLS certificates are trusted through SSL_CERT_FILE.
    /// </summary>
    [Fact]
    public async Task Key_vault_and_Entra_ID_work_in_the_native_binary_and_its_output_re_identifies()
    {
        const string vaultHost = "cloudanon-cli-tests.vault.azure.net", certificateName = "deid", secretName = "mapping-key";
        await using var vault = await FakeKeyVaultServer.StartAsync(vaultHost);
        await using var proxy = new ConnectProxy(vaultHost, vault.LoopbackEndpoint);
        using var certificate = TestCertificates.CreateRsa("cloudanon published binary key vault test");
        vault.AddCertificateVersion(certificateName, certificate);
        vault.SetSecret(secretName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var azurite = await AzuriteFixture.EnsureSecureStartedAsync();
        var ingress = await azurite.CreateBlobContainerAsync("ingress");
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        await ingress.GetBlobClient("a.dcm").UploadAsync(input);
        string egress = AzuriteInstance.NewContainerName("egress"), table = AzuriteInstance.NewTableName("mappings");

        using var az = new FakeAzureCli(new Dictionary<string, string>
        {
            ["https://storage.azure.com"] = AzuriteInstance.CreateStorageAccessToken(),
            ["https://vault.azure.net"] = vault.AccessToken,
        });
        using var trust = new TrustBundle(azurite.TlsCertificate!, vault.TlsCertificate);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = az.PathVariable,
            ["SSL_CERT_FILE"] = trust.Path,
            ["HTTPS_PROXY"] = proxy.Uri.ToString(),
            ["NO_PROXY"] = "127.0.0.1,localhost",
        };
        string[] fromVault = ["--key-vault", vault.VaultUri.ToString(), "--certificate-name", certificateName];

        string[] account =
        [
            "--account", azurite.BlobEndpoint.ToString(), "--table-uri", azurite.TableEndpoint.ToString(), "--queue-uri", azurite.QueueEndpoint.ToString(),
            "--ingress", ingress.Name, "--table", table, "--key-vault", vault.VaultUri.ToString(), "--mapping-key-secret", secretName,
        ];

        // backfill: the table and queue exist as infra/ creates them (an Entra ID run does not create them).
        var queue = new QueueClient(azurite.ConnectionString, AzuriteInstance.NewContainerName("backfill"), azurite.Trusting(new QueueClientOptions()));
        await queue.CreateAsync();
        await azurite.CreateTableServiceClient().CreateTableAsync(table);
        var backfill = Run([.. account, "--queue", queue.Name], environment, "backfill");
        Assert.True(backfill.ExitCode == 0, backfill.Error);
        Assert.Contains("1 messages sent", backfill.Out);

        var process = Run([.. account, "--egress", egress, "--quarantine", AzuriteInstance.NewContainerName("quarantine"), "--certificate-name", certificateName], environment, "process");
        Assert.True(process.ExitCode == 0, process.Error);
        Assert.Contains("egress 1, quarantine 0", process.Out);
        var output = Assert.Single(await BlobListing.ListAsync(azurite.CreateBlobServiceClient().GetBlobContainerClient(egress))).Name;
        string deidentified = _harness.Path("deid.dcm"), restored = _harness.Path("back.dcm");
        await azurite.CreateBlobServiceClient().GetBlobContainerClient(egress).GetBlobClient(output).DownloadToAsync(deidentified);

        var back = Run(["-d", .. fromVault, deidentified, restored], environment);
        Assert.True(back.ExitCode == 0, back.Error);
        Assert.NotEqual(CliHarness.DatasetListing(input), CliHarness.DatasetListing(deidentified));
        Assert.Equal(CliHarness.DatasetListing(input), CliHarness.DatasetListing(restored));
        Assert.Equal(2, vault.CountAuthorizedRequests($"/secrets/{secretName}")); // backfill's and process's
        Assert.True(vault.CountAuthorizedRequests("/certificates/") >= 2, "the certificate was read for -e's encryption and -d's key");
        Assert.Contains(az.Calls, call => call.Contains("--resource https://vault.azure.net", StringComparison.Ordinal));

        // The SDK's error path under AOT: a clear message and exit 1, no output.
        var missing = Run(["-d", "--key-vault", vault.VaultUri.ToString(), "--certificate-name", "absent", deidentified, _harness.Path("none.dcm")], environment);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"Certificate 'absent' in key vault '{vaultHost}' is unavailable: the vault answered status 404 (CertificateNotFound)", missing.Error);
        Assert.False(File.Exists(_harness.Path("none.dcm")));
        using var signedOut = new FakeAzureCli(new Dictionary<string, string>());
        var unsigned = Run(["-d", .. fromVault, deidentified, _harness.Path("none.dcm")], new Dictionary<string, string>(environment) { ["PATH"] = signedOut.PathVariable });
        Assert.Equal(1, unsigned.ExitCode);
        Assert.Contains($"Certificate '{certificateName}' in key vault '{vaultHost}' is unavailable: the credential could not obtain a token for the vault", unsigned.Error);
    }

    private static CliHarness.Run Run(params string[] args) => Run(args, new Dictionary<string, string>());

    private static CliHarness.Run Run(string[] args, IDictionary<string, string> environment, string? verb = null)
    {
        var result = ExternalTool.Run(Binary.Value, verb is null ? args : [verb, .. args], TimeSpan.FromMinutes(2), environment);
        return new CliHarness.Run(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary>scripts/install-cli.sh into a temporary prefix (Native AOT: clang and zlib1g-dev, installed by scripts/install-test-tools.sh).</summary>
    /// <summary>
    /// What a new user does: a fresh clone of this commit (no node_modules, no build output), then the README's install
    /// line, which has to fetch what it needs itself; then <c>cloudanon --version</c> from the installed link.
    /// </summary>
    private static string Install()
    {
        string clone = Directory.CreateTempSubdirectory("cloudanon-clone-").FullName;
        string prefix = Directory.CreateTempSubdirectory("cloudanon-install-").FullName;
        string commit = Git("-C", Corpus.RepositoryRoot, "rev-parse", "HEAD").Trim();
        Git("clone", "--quiet", "--no-checkout", Corpus.RepositoryRoot, clone);
        Git("-C", clone, "checkout", "--quiet", commit);
        var install = ExternalTool.Run("bash", [Path.Combine(clone, "scripts", "install-cli.sh"), "--prefix", prefix], TimeSpan.FromMinutes(10));
        Assert.True(install.ExitCode == 0, $"scripts/install-cli.sh failed on a fresh clone:{Environment.NewLine}{install.StandardOutput}{install.StandardError}");
        string binary = Path.Combine(prefix, "bin", "cloudanon");
        var version = ExternalTool.Run(binary, ["--version"], TimeSpan.FromMinutes(1));
        Assert.True(version.ExitCode == 0 && version.StandardOutput.StartsWith("cloudanon ", StringComparison.Ordinal), version.StandardOutput + version.StandardError);
        Directory.Delete(clone, recursive: true);
        return binary;
    }

    private static string Git(params string[] args)
    {
        var git = ExternalTool.Run("git", args, TimeSpan.FromMinutes(2));
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {git.StandardError}");
        return git.StandardOutput;
    }
}
