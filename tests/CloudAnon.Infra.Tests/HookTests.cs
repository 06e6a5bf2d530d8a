using System.Text.Json;

namespace CloudAnon.Infra.Tests;

/// <summary>
/// The azd hooks, both forms (/bin/sh and PowerShell, the repository's dotnet tool), run against stand-ins for az and azd
/// (<see cref="FakeAzureTools"/>): one behaviour on Linux and Windows.
/// </summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class HookTests(CompiledInfrastructure infrastructure) : IDisposable
{
    private const string VaultId = "/subscriptions/0000/resourceGroups/rg-test/providers/Microsoft.KeyVault/vaults/kv-test";
    private const string SecretId = VaultId + "/secrets/cloudanon-mapping-key";

    private readonly FakeAzureTools _tools = new();

    [Theory]
    [InlineData("sh")]
    [InlineData("pwsh")]
    public void MappingKeyHook_CreatesAMissingSecretOnce_WithA32ByteRandomKey_ThenProvisionsItsRoles(string form)
    {
        ProvisionedEnvironment();

        var first = _tools.RunHook("ensure-mapping-key", form);
        Assert.True(first.ExitCode == 0, first.Output);
        var key = SecretValue();
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.Equal("true", _tools.Value("CLOUDANON_MAPPING_KEY_SECRET_EXISTS"));
        Assert.Single(_tools.Calls, c => c.StartsWith("az rest --method put", StringComparison.Ordinal));
        Assert.Single(_tools.Calls, c => c == "azd provision --no-prompt");

        // The provision it starts runs this hook again: nothing more happens.
        var second = _tools.RunHook("ensure-mapping-key", form);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(key, SecretValue());
        Assert.Single(_tools.Calls, c => c.StartsWith("az rest --method put", StringComparison.Ordinal));
        Assert.Single(_tools.Calls, c => c == "azd provision --no-prompt");
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("pwsh")]
    public void MappingKeyHook_KeepsAnExistingSecret(string form)
    {
        ProvisionedEnvironment();
        const string existing = """{"properties":{"value":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}}""";
        _tools.PutResource(SecretId, existing);

        var run = _tools.RunHook("ensure-mapping-key", form);

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(existing, _tools.Resource(SecretId));
        Assert.DoesNotContain(_tools.Calls, c => c.StartsWith("az rest --method put", StringComparison.Ordinal));
        // Roles on it are assigned in the provision that follows the first time it is seen.
        Assert.Equal("true", _tools.Value("CLOUDANON_MAPPING_KEY_SECRET_EXISTS"));
        Assert.Single(_tools.Calls, c => c == "azd provision --no-prompt");
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("pwsh")]
    public void MappingKeyHook_NeverReadsAFailedLookupAsAbsent(string form)
    {
        ProvisionedEnvironment();

        var run = _tools.RunHook("ensure-mapping-key", form, new Dictionary<string, string> { ["FAKE_AZ_ERROR"] = "(AuthorizationFailed) The client does not have authorization" });

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("AuthorizationFailed", run.Output, StringComparison.Ordinal);
        Assert.Null(_tools.Resource(SecretId));
        Assert.DoesNotContain(_tools.Calls, c => c.StartsWith("az rest --method put", StringComparison.Ordinal) || c.StartsWith("azd provision", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("pwsh")]
    public void MappingKey_IsNeitherInTheAzdEnvironment_NorOnACommandLine_NorLeftInATemporaryFile(string form)
    {
        ProvisionedEnvironment();

        var run = _tools.RunHook("ensure-mapping-key", form);

        Assert.True(run.ExitCode == 0, run.Output);
        var key = SecretValue();
        Assert.DoesNotContain(key, File.ReadAllText(_tools.EnvironmentFile), StringComparison.Ordinal);
        Assert.DoesNotContain(key, File.ReadAllText(_tools.CallLog), StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tools.TempDirectory));
    }

    [Fact]
    public void MappingKey_IsNoDeploymentParameter_AndNoDeployedSecret()
    {
        // A deployment that wrote the secret would replace it on every provision, and record it in the deployment.
        Assert.Empty(infrastructure.ResourcesOfType("Microsoft.KeyVault/vaults/secrets"));
        var parameters = infrastructure.Root.Template.GetProperty("parameters").EnumerateObject().ToList();
        Assert.DoesNotContain(parameters, p => p.Value.GetProperty("type").GetString()!.StartsWith("secure", StringComparison.Ordinal));
        Assert.DoesNotContain("MAPPING_KEY}", File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "main.parameters.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("pwsh")]
    public void PreprovisionHook_ReportsWhatExists_SoAzdUpWorksAgainAfterAzdDown(string form)
    {
        ProvisionedEnvironment();
        // As `azd down` leaves it: outputs still in the environment, the subscription flag on, nothing in Azure.
        _tools.SetValue("CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED", "true");
        _tools.SetValue("CLOUDANON_MAPPING_KEY_SECRET_EXISTS", "true");
        _tools.SetValue("AZURE_FUNCTION_APP_NAME", "func-test");
        _tools.SetValue("AZURE_SUBSCRIPTION_ID", "0000");
        _tools.SetValue("AZURE_RESOURCE_GROUP", "rg-test");

        var gone = _tools.RunHook("preprovision", form);
        Assert.True(gone.ExitCode == 0, gone.Output);
        Assert.Equal("false", _tools.Value("CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED"));
        Assert.Equal("false", _tools.Value("CLOUDANON_MAPPING_KEY_SECRET_EXISTS"));

        // A running deployment keeps both.
        _tools.SetValue("CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED", "true");
        _tools.PutResource("/subscriptions/0000/resourceGroups/rg-test/providers/Microsoft.Web/sites/func-test", "{}");
        _tools.PutResource(SecretId, "{}");
        var running = _tools.RunHook("preprovision", form);
        Assert.True(running.ExitCode == 0, running.Output);
        Assert.Equal("true", _tools.Value("CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED"));
        Assert.Equal("true", _tools.Value("CLOUDANON_MAPPING_KEY_SECRET_EXISTS"));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("pwsh")]
    public void PostdeployHook_TurnsTheSubscriptionOnOnce(string form)
    {
        var first = _tools.RunHook("enable-ingress-subscription", form);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal("true", _tools.Value("CLOUDANON_INGRESS_SUBSCRIPTION_ENABLED"));
        Assert.Single(_tools.Calls, c => c == "azd provision --no-prompt");

        var second = _tools.RunHook("enable-ingress-subscription", form);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Single(_tools.Calls, c => c == "azd provision --no-prompt");
    }

    [Fact]
    public void EveryHook_HasAPosixAndAWindowsForm_WiredInAzureYaml()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));
        var scripts = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Infra, "hooks"), "*.sh")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => name != "arm")
            .ToList();
        Assert.Equal(3, scripts.Count);
        foreach (var script in scripts)
        {
            Assert.True(File.Exists(Path.Combine(RepositoryPaths.Infra, "hooks", $"{script}.ps1")), $"{script}.ps1 is missing");
            Assert.Contains($"run: ./infra/hooks/{script}.sh", azureYaml, StringComparison.Ordinal);
            Assert.Contains($"run: ./infra/hooks/{script}.ps1", azureYaml, StringComparison.Ordinal);
        }
        Assert.Equal(3, azureYaml.Split("shell: pwsh").Length - 1);
        Assert.Equal(3, azureYaml.Split("shell: sh").Length - 1);
    }

    public void Dispose() => _tools.Dispose();

    private void ProvisionedEnvironment()
    {
        _tools.SetValue("AZURE_KEY_VAULT_ID", VaultId);
        _tools.SetValue("CLOUDANON_MAPPING_KEY_SECRET_NAME", "cloudanon-mapping-key");
    }

    private string SecretValue()
    {
        var body = _tools.Resource(SecretId);
        Assert.NotNull(body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("properties").GetProperty("value").GetString()!;
    }
}
