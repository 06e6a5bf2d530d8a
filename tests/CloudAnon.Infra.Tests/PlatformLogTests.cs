using System.Text.Json;

namespace CloudAnon.Infra.Tests;

/// <summary>What the deployment sends to the shared Log Analytics workspace: nothing that holds a blob name.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class PlatformLogTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void StorageAccounts_SendTransactionMetricsOnly_NoResourceLogs()
    {
        // Storage resource logs record each request's URI: every ingress blob name, readable by anyone with workspace Reader.
        foreach (var module in new[] { "data-storage", "runtime-storage" })
        {
            var storage = infrastructure.Root.Module(module);
            var settings = storage.AllResources().Where(r => r.Type == "Microsoft.Insights/diagnosticSettings").ToList();
            Assert.Equal(4, settings.Count); // account, blob, queue, table
            foreach (var setting in settings)
            {
                var (properties, _) = storage.Resolve(setting.Properties);
                Assert.Equal(JsonValueKind.Object, properties.ValueKind);
                Assert.False(properties.TryGetProperty("logs", out _), $"{module}: {setting.ScopeExpression} sends resource logs");
                Assert.Equal(["Transaction"], properties.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("category").GetString()));
            }
        }
    }

    [Fact]
    public void OnlyKeyVault_SendsResourceLogs_ItsAuditCategory_AndTheOptionalGatewayItsConsole()
    {
        // Key Vault's audit events name secrets and certificates and the caller, never a value.
        var withLogs = infrastructure.ResourcesOfType("Microsoft.Insights/diagnosticSettings")
            .Where(d => d.Properties.ValueKind == JsonValueKind.Object && d.Properties.TryGetProperty("logs", out _))
            .ToList();
        // The gateway's console holds its own log lines, which carry no value from a data set (docs/gateway.md).
        var gatewaySetting = Assert.Single(withLogs, d => d.Scope.DeploymentName == "gateway");
        Assert.Equal(["ContainerAppConsoleLogs", "ContainerAppSystemLogs"], gatewaySetting.Properties.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("category").GetString()));
        var vaultSetting = Assert.Single(withLogs, d => d != gatewaySetting);
        Assert.Equal("[resourceId('Microsoft.KeyVault/vaults', parameters('name'))]", vaultSetting.ScopeExpression);
        Assert.Equal(["audit"], vaultSetting.Properties.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("categoryGroup").GetString()));
    }

    [Fact]
    public void EventGridTopics_SendNoDiagnostics()
    {
        // Event Grid's delivery-failure logs carry the event subject: the blob's path.
        Assert.DoesNotContain(infrastructure.ResourcesOfType("Microsoft.Insights/diagnosticSettings"),
            d => (d.ScopeExpression ?? "").Contains("Microsoft.EventGrid", StringComparison.Ordinal));
    }
}
