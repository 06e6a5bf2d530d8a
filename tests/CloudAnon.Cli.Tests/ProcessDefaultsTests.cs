using System.Security.Cryptography;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary><c>cloudanon process</c> runs with the pipeline's defaults, so a blob gets the outcome the function gives it.</summary>
public sealed class ProcessDefaultsTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task An_already_deidentified_input_is_deidentified_again_as_the_function_does()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm"), once = _harness.Path("once.dcm");
        Assert.Equal(0, CliHarness.InProcess("-e", "--irreversible", input, once).ExitCode);
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        string ingress = AzuriteInstance.NewContainerName("ingress"), egress = AzuriteInstance.NewContainerName("egress");
        string quarantine = AzuriteInstance.NewContainerName("quarantine"), table = AzuriteInstance.NewTableName("mappings");
        var ingressClient = azurite.CreateBlobServiceClient().GetBlobContainerClient(ingress);
        await ingressClient.CreateAsync();
        await ingressClient.GetBlobClient("once.dcm").UploadAsync(once);

        var run = CliHarness.Process(
            ["process", "--irreversible", "--ingress", ingress, "--egress", egress, "--quarantine", quarantine, "--table", table],
            new Dictionary<string, string>
            {
                ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString,
                ["CLOUDANON_MAPPING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            });

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("egress 1, quarantine 0", run.Out);
    }
}
