using System.Text.Json;

namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed class AzdTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void AzureYaml_DeploysTheFunctionsProjectAsOneService()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "azure.yaml")).Select(l => l.Trim()).ToList();
        Assert.Contains("cloudanon:", lines);
        Assert.Contains("project: ./src/CloudAnon.Functions", lines);
        Assert.Contains("language: dotnet", lines);
        Assert.Contains("host: function", lines);
        Assert.True(Directory.Exists(Path.Combine(RepositoryPaths.Root, "src", "CloudAnon.Functions")));
    }

    [Fact]
    public void AzureYaml_HooksExistAndAreExecutable()
    {
        foreach (var hook in new[] { "preprovision.sh", "ensure-mapping-key.sh", "enable-ingress-subscription.sh" })
        {
            var path = Path.Combine(RepositoryPaths.Infra, "hooks", hook);
            Assert.Contains($"./infra/hooks/{hook}", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml")), StringComparison.Ordinal);
            Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{hook} is not executable");
        }
    }

    [Fact]
    public void ParametersFile_SuppliesEveryRequiredParameterFromTheAzdEnvironment()
    {
        using var parametersFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "main.parameters.json")));
        var supplied = parametersFile.RootElement.GetProperty("parameters");
        Assert.Equal("${AZURE_ENV_NAME}", supplied.GetProperty("environmentName").GetProperty("value").GetString());
        Assert.Equal("${AZURE_LOCATION}", supplied.GetProperty("location").GetProperty("value").GetString());
        // The operator is a principal of its own (a group by default), never the identity that runs azd.
        Assert.Equal("${CLOUDANON_OPERATOR_PRINCIPAL_ID=}", supplied.GetProperty("operatorPrincipalId").GetProperty("value").GetString());
        Assert.Equal("${CLOUDANON_OPERATOR_PRINCIPAL_TYPE=Group}", supplied.GetProperty("operatorPrincipalType").GetProperty("value").GetString());
        Assert.DoesNotContain("AZURE_PRINCIPAL", File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "main.parameters.json")), StringComparison.Ordinal);

        var declared = infrastructure.Root.Template.GetProperty("parameters");
        foreach (var parameter in declared.EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _) && !p.Value.TryGetProperty("nullable", out _)))
        {
            Assert.True(supplied.TryGetProperty(parameter.Name, out _), $"required parameter {parameter.Name} is not in main.parameters.json");
        }
        foreach (var parameter in supplied.EnumerateObject())
        {
            Assert.True(declared.TryGetProperty(parameter.Name, out _), $"main.parameters.json sets unknown parameter {parameter.Name}");
        }
    }

    [Fact]
    public void Outputs_AreUpperSnakeCaseAndCarryNoSecrets()
    {
        var outputs = infrastructure.Root.Template.GetProperty("outputs").EnumerateObject().ToList();
        Assert.Contains(outputs, o => o.Name == "AZURE_FUNCTION_APP_NAME");
        Assert.All(outputs, o => Assert.Matches("^[A-Z][A-Z0-9_]*$", o.Name));
        Assert.All(outputs, o => Assert.DoesNotContain("mappingKey')", o.Value.GetProperty("value").ToString(), StringComparison.Ordinal));
    }
}
