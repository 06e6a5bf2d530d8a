using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// <c>process</c> and <c>backfill</c> on an account reached as the deployed one is: by endpoint (<c>--account</c>,
/// <c>--table-uri</c>, <c>--queue-uri</c>) over HTTPS, signed in with DefaultAzureCredential — here its Azure CLI step,
/// answered by a fake <c>az</c> first on PATH — against Azurite with <c>--oauth basic</c>, which refuses a token of the
/// wrong audience, issuer or lifetime. The CLI runs as its own process (the built cloudanon.dll), trusting Azurite's
/// certificate through SSL_CERT_FILE as a machine trusts a CA; the names it uses are the defaults, as infra/ creates them.
/// </summary>
public sealed class EntraIdAccountTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Backfill_and_process_sign_in_with_DefaultAzureCredential_and_use_the_default_names()
    {
        var azurite = await AzuriteFixture.EnsureSecureStartedAsync();
        var blobs = azurite.CreateBlobServiceClient();
        var ingress = blobs.GetBlobContainerClient("ingress");
        await ingress.CreateIfNotExistsAsync();
        foreach (var (name, corpusFile) in new[] { ("site/a.dcm", CliHarness.ExplicitMr), ("site/b.dcm", CliHarness.ImplicitSiemens), ("site/c.pdf", CliHarness.NotDicom) })
        {
            await ingress.GetBlobClient(name).UploadAsync(Corpus.Get(corpusFile).FullPath, overwrite: true);
        }

        // What infra/ creates for the app; the CLI signed in by Entra ID does not create them.
        var queue = new QueueClient(azurite.ConnectionString, "backfill", azurite.Trusting(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }));
        await queue.CreateIfNotExistsAsync();
        await azurite.CreateTableServiceClient().CreateTableIfNotExistsAsync("mappings");

        using var az = new FakeAzureCli(new Dictionary<string, string> { ["https://storage.azure.com"] = AzuriteInstance.CreateStorageAccessToken() });
        using var trust = new TrustBundle(azurite.TlsCertificate!);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = az.PathVariable,
            ["SSL_CERT_FILE"] = trust.Path,
            ["CLOUDANON_MAPPING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        string[] account = ["--account", azurite.BlobEndpoint.ToString(), "--table-uri", azurite.TableEndpoint.ToString(), "--queue-uri", azurite.QueueEndpoint.ToString()];

        var backfill = CliHarness.Process(["backfill", .. account], environment);
        Assert.True(backfill.ExitCode == 0, backfill.Error);
        Assert.Contains("3 messages sent to queue backfill", backfill.Out);
        Assert.Equal(["site/a.dcm", "site/b.dcm", "site/c.pdf"], (await queue.ReceiveMessagesAsync(10)).Value.Select(m => m.MessageText).Order());

        var process = CliHarness.Process(["process", .. account, "--certificate", _harness.CertificatePath], environment);
        Assert.True(process.ExitCode == 0, process.Error);
        Assert.Contains("egress 2, quarantine 1", process.Out);
        Assert.Equal(2, (await BlobListing.ListAsync(blobs.GetBlobContainerClient("egress"))).Count);
        Assert.Single(await BlobListing.ListAsync(blobs.GetBlobContainerClient("quarantine")));
        Assert.NotEmpty(azurite.CreateTableServiceClient().GetTableClient("mappings").Query<TableEntity>(filter: "PartitionKey ne 'backfill'"));
        // One sign-in per run and resource: the blob, table and queue clients share the token (each ask starts `az`).
        Assert.Equal(["account get-access-token --output json --resource https://storage.azure.com"], az.Calls.Distinct());
        Assert.Equal(2, az.Calls.Count);

        // The token is really checked: one Azurite refuses (another audience) stops the run, naming the endpoint.
        using var wrongAudience = new FakeAzureCli(new Dictionary<string, string> { ["https://storage.azure.com"] = AzuriteInstance.CreateStorageAccessToken("https://vault.azure.net") });
        var refused = CliHarness.Process(["backfill", .. account, "--restart"], new Dictionary<string, string>(environment) { ["PATH"] = wrongAudience.PathVariable });
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("127.0.0.1", refused.Error);
        Assert.Contains("403", refused.Error);

        // No credential signs in: the run says so, with each credential's reason, Azure CLI's error among them.
        using var signedOut = new FakeAzureCli(new Dictionary<string, string>());
        var unsigned = CliHarness.Process(["backfill", .. account], new Dictionary<string, string>(environment) { ["PATH"] = signedOut.PathVariable });
        Assert.Equal(1, unsigned.ExitCode);
        Assert.Contains("signing in with Entra ID failed", unsigned.Error);
        Assert.Contains("AADSTS500011", unsigned.Error);
    }
}
