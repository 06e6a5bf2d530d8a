using System.Text.Json;

namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed class FunctionAppTests(CompiledInfrastructure infrastructure)
{
    // How each local setting (local.settings.sample.json "Values") is carried in Azure. A setting missing here and from
    // the app settings fails AppSettings_CoverEverySettingOfTheSample, so a new setting needs infra before it lands.
    private static readonly Dictionary<string, string[]> AzureFormOfLocalSetting = new()
    {
        ["AzureWebJobsStorage"] = ["AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId"],
        ["Storage"] = ["Storage__blobServiceUri", "Storage__queueServiceUri", "Storage__tableServiceUri", "Storage__credential", "Storage__clientId"],
        // Flex Consumption takes the worker runtime from functionAppConfig.runtime and refuses this setting.
        ["FUNCTIONS_WORKER_RUNTIME"] = [],
        // Local files and keys; in Azure the certificate and the mapping key come from Key Vault.
        ["CertificatePath"] = ["KeyVaultUri", "CertificateName"],
        ["MappingKey"] = ["KeyVaultUri", "MappingKeySecretName"],
    };

    [Fact]
    public void AppSettings_CoverEverySettingOfTheSample()
    {
        var settings = AppSettings();
        foreach (var localSetting in SampleSettingNames())
        {
            var azureForm = AzureFormOfLocalSetting.GetValueOrDefault(localSetting, [localSetting]);
            Assert.All(azureForm, name => Assert.True(settings.ContainsKey(name), $"app setting {name} (for {localSetting}) is missing"));
            if (AzureFormOfLocalSetting.ContainsKey(localSetting))
            {
                Assert.False(settings.ContainsKey(localSetting), $"{localSetting} must not be set in Azure");
            }
        }
    }

    [Fact]
    public void Connections_UseTheUserAssignedIdentity()
    {
        var settings = AppSettings();
        foreach (var connection in new[] { "AzureWebJobsStorage", "Storage" })
        {
            Assert.Equal("managedidentity", settings[$"{connection}__credential"].GetString());
            Assert.Equal("[parameters('identityClientId')]", settings[$"{connection}__clientId"].GetString());
        }
        Assert.Equal("[parameters('dataBlobEndpoint')]", settings["Storage__blobServiceUri"].GetString());
        Assert.Equal("[parameters('dataQueueEndpoint')]", settings["Storage__queueServiceUri"].GetString());
        Assert.Equal("[parameters('dataTableEndpoint')]", settings["Storage__tableServiceUri"].GetString());
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].GetString());
        Assert.DoesNotContain(settings.Keys, name => name.EndsWith("ConnectionString", StringComparison.OrdinalIgnoreCase) || name == "MappingKey");
    }

    [Fact]
    public void FunctionApp_RunsDotnetIsolated10OnFlexConsumptionWithScaleParameters()
    {
        var plan = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan.Element.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.Element.GetProperty("sku").GetProperty("tier").GetString());

        var site = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Web/sites"));
        Assert.True(site.Properties.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("UserAssigned", site.Element.GetProperty("identity").GetProperty("type").GetString());

        var config = site.Properties.GetProperty("functionAppConfig");
        var runtime = config.GetProperty("runtime");
        Assert.Equal("dotnet-isolated", site.Scope.ResolveString(runtime.GetProperty("name")));
        Assert.Equal("10.0", site.Scope.ResolveString(runtime.GetProperty("version")));

        var scale = config.GetProperty("scaleAndConcurrency");
        Assert.Equal(100, site.Scope.Resolve(scale.GetProperty("maximumInstanceCount")).Value.GetInt32());
        Assert.Equal(2048, site.Scope.Resolve(scale.GetProperty("instanceMemoryMB")).Value.GetInt32());

        var deployment = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("UserAssignedIdentity", deployment.GetProperty("authentication").GetProperty("type").GetString());
    }

    [Fact]
    public void PublishingCredentials_AreDisabled()
    {
        var policies = infrastructure.ResourcesOfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False(p.Properties.GetProperty("allow").GetBoolean()));
    }

    /// <summary>
    /// The app settings resource receives union(connection settings, CloudAnon settings) from app/function.bicep;
    /// this returns their names with their (unevaluated) values.
    /// </summary>
    private Dictionary<string, JsonElement> AppSettings()
    {
        var config = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Web/sites/config"),
            r => r.Name.EndsWith("'appsettings')]", StringComparison.Ordinal));
        Assert.Equal("[parameters('appSettings')]", config.Properties.GetString());

        var host = config.Scope;
        var function = host.Parent!;
        Assert.Equal("[union(variables('connectionSettings'), parameters('cloudAnonSettings'))]", host.ParameterValue("appSettings").GetString());
        var (cloudAnonSettings, _) = function.ResolveParameter("cloudAnonSettings");
        return function.Variable("connectionSettings").EnumerateObject()
            .Concat(cloudAnonSettings.EnumerateObject())
            .ToDictionary(p => p.Name, p => p.Value);
    }

    private static IEnumerable<string> SampleSettingNames()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();
    }
}
