using System.Text.Json;

namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed class StorageAndKeyVaultTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void EveryStorageAccount_AcceptsOnlyEntraIdOverTls12()
    {
        var accounts = infrastructure.ResourcesOfType("Microsoft.Storage/storageAccounts").ToList();
        Assert.NotEmpty(accounts);
        foreach (var account in accounts)
        {
            var properties = account.Properties;
            Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean());
            Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean());
            Assert.Equal("TLS1_2", properties.GetProperty("minimumTlsVersion").GetString());
            Assert.True(properties.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
            Assert.True(properties.GetProperty("defaultToOAuthAuthentication").GetBoolean());
        }
    }

    [Fact]
    public void EveryContainer_IsPrivate()
    {
        var containers = infrastructure.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers").ToList();
        Assert.NotEmpty(containers);
        Assert.All(containers, c => Assert.Equal("None", c.Properties.GetProperty("publicAccess").GetString()));
    }

    [Fact]
    public void DataAccount_HoldsTheContainersTableAndPoisonQueue_WithVersioningAndSoftDelete()
    {
        var dataStorage = infrastructure.Root.Module("data-storage");
        var containers = ResolveStrings(dataStorage, "containers");
        Assert.Superset(new HashSet<string> { "ingress", "egress", "quarantine" }, containers.ToHashSet());
        Assert.Equal(["mappings"], ResolveStrings(dataStorage, "tables"));
        // The queue extension's poison queue is "<queue>-poison".
        Assert.Equal(["webjobs-blobtrigger-poison", "backfill", "[format('{0}-poison', parameters('backfillQueueName'))]"], ResolveStrings(dataStorage, "queues"));

        Assert.True(dataStorage.ResolveParameter("versioningEnabled").Value.GetBoolean());
        var softDeleteDays = dataStorage.ResolveParameter("softDeleteRetentionDays").Value;
        Assert.True(softDeleteDays.GetInt32() >= 1);

        var blobService = Assert.Single(dataStorage.AllResources(), r => r.Type == "Microsoft.Storage/storageAccounts/blobServices");
        Assert.Equal("[parameters('versioningEnabled')]", blobService.Properties.GetProperty("isVersioningEnabled").GetString());
        Assert.Equal("[parameters('softDeleteRetentionDays')]", blobService.Properties.GetProperty("deleteRetentionPolicy").GetProperty("days").GetString());
    }

    [Fact]
    public void DataAccount_ExpiresPreviousVersionsOfIngressBlobs()
    {
        // Versioning would otherwise keep every replaced or deleted ingress blob (PHI) for ever.
        var rules = infrastructure.Root.Variable("ingressLifecycleRules").GetString()!;
        Assert.Contains("'ingress-previous-versions'", rules, StringComparison.Ordinal);
        Assert.Contains("createObject('delete', createObject('daysAfterCreationGreaterThan', 1))", rules, StringComparison.Ordinal);
        Assert.Contains("format('{0}/', parameters('ingressContainerName'))", rules, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyVault_UsesRbacWithSoftDeleteAndPurgeProtection()
    {
        var vault = Assert.Single(infrastructure.ResourcesOfType("Microsoft.KeyVault/vaults"));
        Assert.True(vault.Properties.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.Properties.GetProperty("enableSoftDelete").GetBoolean());
        Assert.True(vault.Properties.GetProperty("enablePurgeProtection").GetBoolean());
        Assert.False(vault.Properties.TryGetProperty("accessPolicies", out _));
    }

    [Fact]
    public void Monitoring_RefusesLocalAuthAndCollectsStorageAndKeyVaultDiagnostics()
    {
        var insights = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Insights/components"));
        Assert.True(insights.Properties.GetProperty("DisableLocalAuth").GetBoolean());

        var diagnosticScopes = infrastructure.ResourcesOfType("Microsoft.Insights/diagnosticSettings")
            .Select(d => d.ScopeExpression ?? "")
            .ToList();
        Assert.Contains(diagnosticScopes, s => s.Contains("'Microsoft.KeyVault/vaults'", StringComparison.Ordinal));
        foreach (var service in new[] { "blobServices", "queueServices", "tableServices" })
        {
            Assert.Contains(diagnosticScopes, s => s.Contains($"'Microsoft.Storage/storageAccounts/{service}'", StringComparison.Ordinal));
        }
    }

    private static List<string> ResolveStrings(ArmScope module, string parameter)
    {
        var (value, scope) = module.ResolveParameter(parameter);
        if (value.ValueKind == JsonValueKind.Array)
        {
            return value.EnumerateArray().Select(e => scope.Resolve(e).Value.GetString()!).ToList();
        }
        // A conditional list, e.g. if(useSingleStorageAccount, concat(dataContainers, ...), dataContainers): take the
        // list used with the default (separate runtime account).
        var text = value.GetString()!;
        var variableName = text[(text.LastIndexOf("variables('", StringComparison.Ordinal) + 11)..].Split('\'')[0];
        return scope.Resolve(scope.Variable(variableName)).Value.EnumerateArray().Select(e => scope.Resolve(e).Value.GetString()!).ToList();
    }
}
