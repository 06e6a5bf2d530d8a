using System.Text.Json;

namespace CloudAnon.Infra.Tests;

/// <summary>infra/app/gateway.bicep: the DICOM gateway as a Container App with TCP ingress, off unless asked for.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class GatewayContainerAppTests(CompiledInfrastructure infrastructure)
{
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultReader = "21090545-7ca7-4776-b22c-e363652d74d2";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private ArmScope Gateway => infrastructure.Root.Module("gateway");

    private ArmResource GatewayResource(string type) => Assert.Single(infrastructure.ResourcesOfType(type), r => r.Scope.DeploymentName == "gateway");

    [Fact]
    public void Gateway_IsDeployedOnlyWhenTheParameterSaysSo_OffByDefault()
    {
        var module = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Resources/deployments"), r => r.Name == "gateway");
        Assert.Equal("[parameters('gatewayEnabled')]", module.Condition);
        Assert.False(infrastructure.Root.ParameterValue("gatewayEnabled").GetBoolean());
    }

    [Fact]
    public void GatewayIdentity_WritesIngressOnly_ReadsTheMappingKey_PublishesItsMetrics_AndWithTlsOnlyItsCertificate()
    {
        var expected = new HashSet<(string Role, string Scope, string? Condition)>
        {
            (StorageBlobDataContributor, "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('dataStorageAccountName'), 'default', parameters('ingressContainerName'))]", null),
            (KeyVaultSecretsUser, "[resourceId('Microsoft.KeyVault/vaults/secrets', parameters('keyVaultName'), parameters('mappingKeySecretName'))]", "[parameters('mappingKeySecretExists')]"),
            (KeyVaultReader, "[resourceId('Microsoft.KeyVault/vaults', parameters('keyVaultName'))]", "[variables('tlsEnabled')]"),
            (KeyVaultSecretsUser, RoleAssignmentTests.GatewayTlsSecretScope, "[variables('tlsEnabled')]"),
            (MonitoringMetricsPublisher, "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]", null),
        };
        var assignments = infrastructure.ResourcesOfType("Microsoft.Authorization/roleAssignments").Where(a => a.Scope.DeploymentName == "gateway").ToList();

        Assert.Equal(expected, assignments.Select(a => (RoleAssignmentTests.RoleOf(a), a.ScopeExpression!, a.Condition)).ToHashSet());
        Assert.Equal(expected.Count, assignments.Count);
        Assert.All(assignments, a => Assert.Contains("parameters('identityName')", a.Properties.GetProperty("principalId").GetString(), StringComparison.Ordinal));
        // Its identity is its own, not the function's (which may also write egress and quarantine and use the mapping table).
        Assert.NotEqual(infrastructure.Root.Variable("identityName").GetString(), Gateway.ParameterValue("identityName").GetString());
        Assert.Equal("[parameters('ingressContainerName')]", Gateway.ParameterValue("ingressContainerName").GetString());
        Assert.Equal("[variables('dataStorageAccountName')]", Gateway.ParameterValue("dataStorageAccountName").GetString());
    }

    [Fact]
    public void Gateway_ListensByTcpIngress_InsideTheNetwork_UnlessPublicAccessIsAskedFor()
    {
        var ingress = GatewayResource("Microsoft.App/containerApps").Properties.GetProperty("configuration").GetProperty("ingress");
        Assert.Equal("tcp", ingress.GetProperty("transport").GetString());
        Assert.Equal("[parameters('port')]", ingress.GetProperty("targetPort").GetString());
        Assert.Equal("[parameters('port')]", ingress.GetProperty("exposedPort").GetString());
        Assert.Equal(11112, Gateway.Template.GetProperty("parameters").GetProperty("port").GetProperty("defaultValue").GetInt32());

        var network = GatewayResource("Microsoft.App/managedEnvironments").Properties.GetProperty("vnetConfiguration");
        Assert.Equal("[not(parameters('publicAccess'))]", network.GetProperty("internal").GetString());
        Assert.Equal("[parameters('gatewayPublicAccess')]", Gateway.ParameterValue("publicAccess").GetString());
        Assert.False(infrastructure.Root.ParameterValue("gatewayPublicAccess").GetBoolean());
        // TCP ingress needs a virtual network: the environment gets the gateway subnet of the deployment's network.
        Assert.Equal("[parameters('infrastructureSubnetId')]", network.GetProperty("infrastructureSubnetId").GetString());
        Assert.Contains("gatewaySubnetId", Gateway.ParameterValue("infrastructureSubnetId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gateway_RunsTheGatewayVerb_WithEntraIdStorage_TheVaultsMappingKey_AndTheCallingAeList()
    {
        var container = GatewayResource("Microsoft.App/containerApps").Properties.GetProperty("template").GetProperty("containers")[0];
        Assert.Equal("[variables('gatewayArguments')]", container.GetProperty("args").GetString());
        var arguments = Gateway.Variable("gatewayArguments").GetString()!;
        foreach (var option in new[] { "--account", "--ingress", "--mapping-key-secret", "--key-vault", "--ae-title", "--port", "--calling-ae", "--tls-certificate" })
        {
            Assert.Contains($"'{option}'", arguments, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("--connection", arguments, StringComparison.Ordinal);
        var environment = container.GetProperty("env").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        // The counters go to the deployment's Application Insights, signed in as the gateway's identity.
        Assert.Equal(["AZURE_CLIENT_ID", "APPLICATIONINSIGHTS_CONNECTION_STRING"], environment);
        Assert.Contains("applicationInsightsConnectionString", Gateway.ParameterValue("applicationInsightsConnectionString").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, infrastructure.Root.ParameterValue("gatewayCallingAeTitles").ValueKind);
    }
}
