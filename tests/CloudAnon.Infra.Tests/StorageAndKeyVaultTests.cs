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
        Assert.Equal(["mappings", "backfillstate", "audit"], ResolveStrings(dataStorage, "tables"));
        // The queue extension's poison queue is "<queue>-poison".
        Assert.Equal(["webjobs-blobtrigger-poison", "backfill", "[format('{0}-poison', parameters('backfillQueueName'))]", "study-complete"], ResolveStrings(dataStorage, "queues"));

        Assert.True(dataStorage.ResolveParameter("versioningEnabled").Value.GetBoolean());
        var softDeleteDays = dataStorage.ResolveParameter("softDeleteRetentionDays").Value;
        Assert.True(softDeleteDays.GetInt32() >= 1);

        var blobService = Assert.Single(dataStorage.AllResources(), r => r.Type == "Microsoft.Storage/storageAccounts/blobServices");
        Assert.Equal("[parameters('versioningEnabled')]", blobService.Properties.GetProperty("isVersioningEnabled").GetString());
        Assert.Equal("[parameters('softDeleteRetentionDays')]", blobService.Properties.GetProperty("deleteRetentionPolicy").GetProperty("days").GetString());
    }

    [Fact]
    public void DataAccount_ExpiresBaseBlobsAndVersionsOfEveryPhiContainer()
    {
        var root = infrastructure.Root;
        // Ingress, quarantine and dead-letter hold PHI (originals, and events naming them); egress is de-identified.
        var retention = root.Variable("phiContainerRetention").EnumerateArray()
            .ToDictionary(r => root.Resolve(r.GetProperty("container")).Value.GetString()!, r => r.GetProperty("days").GetString()!);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["ingress"] = "[parameters('ingressRetentionDays')]",
                ["quarantine"] = "[parameters('quarantineRetentionDays')]",
                ["[format('{0}-deadletter', parameters('ingressContainerName'))]"] = "[parameters('deadLetterRetentionDays')]",
            },
            retention);
        var dataContainers = root.Variable("dataContainers").EnumerateArray().Select(c => root.Resolve(c).Value.GetString()!).ToList();
        Assert.Equal(["ingress", "egress", "quarantine", "[format('{0}-deadletter', parameters('ingressContainerName'))]", "audit"], dataContainers);
        // Egress and the audit records hold no PHI; every other container expires.
        Assert.Equal(dataContainers.Where(c => c is not ("egress" or "audit")).Order(), retention.Keys.Order());

        // Each rule deletes the base blob after its container's days and previous versions after phiVersionRetentionDays.
        var rules = root.Variable("phiExpiryRules").GetString()!;
        Assert.StartsWith("[map(variables('phiContainerRetention'), lambda('retention', ", rules, StringComparison.Ordinal);
        Assert.Contains("'prefixMatch', createArray(format('{0}/', lambdaVariables('retention').container))", rules, StringComparison.Ordinal);
        Assert.Contains("'baseBlob', createObject('delete', createObject('daysAfterModificationGreaterThan', lambdaVariables('retention').days))", rules, StringComparison.Ordinal);
        Assert.Contains("'version', createObject('delete', createObject('daysAfterCreationGreaterThan', parameters('phiVersionRetentionDays')))", rules, StringComparison.Ordinal);

        var dataStorage = root.Module("data-storage");
        Assert.Equal("[concat(variables('phiExpiryRules'), createArray(variables('egressVersionRule'), variables('auditVersionRule')))]", dataStorage.ParameterValue("lifecycleRules").GetString());
        var lifecycle = Assert.Single(dataStorage.AllResources(), r => r.Type == "Microsoft.Storage/storageAccounts/managementPolicies");
        Assert.Equal("[parameters('lifecycleRules')]", lifecycle.Properties.GetProperty("policy").GetProperty("rules").GetString());
    }

    [Fact]
    public void PhiRetentionDefaults_AreShortAndCannotBeTurnedOff()
    {
        var parameters = infrastructure.Root.Template.GetProperty("parameters");
        foreach (var (parameter, days) in new[] { ("ingressRetentionDays", 7), ("quarantineRetentionDays", 30), ("deadLetterRetentionDays", 7), ("phiVersionRetentionDays", 1) })
        {
            Assert.Equal(days, parameters.GetProperty(parameter).GetProperty("defaultValue").GetInt32());
            // No 0 meaning "keep for ever".
            Assert.Equal(1, parameters.GetProperty(parameter).GetProperty("minValue").GetInt32());
        }
        Assert.Equal("delete", infrastructure.Root.ParameterValue("afterSuccess").GetString());
        Assert.Equal(["delete", "keep"], parameters.GetProperty("afterSuccess").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Egress_KeepsPreviousVersionsForAWhile_AndBothAccountsSoftDelete()
    {
        var root = infrastructure.Root;
        var egressRule = root.Variable("egressVersionRule");
        Assert.Equal(["[format('{0}/', parameters('egressContainerName'))]"], egressRule.GetProperty("definition").GetProperty("filters").GetProperty("prefixMatch").EnumerateArray().Select(p => p.GetString()));
        var actions = egressRule.GetProperty("definition").GetProperty("actions");
        Assert.False(actions.TryGetProperty("baseBlob", out _), "egress outputs must not expire");
        Assert.Equal("[parameters('egressVersionRetentionDays')]", actions.GetProperty("version").GetProperty("delete").GetProperty("daysAfterCreationGreaterThan").GetString());
        Assert.Equal(30, root.ParameterValue("egressVersionRetentionDays").GetInt32());

        foreach (var module in new[] { "data-storage", "runtime-storage" })
        {
            Assert.Equal("[parameters('softDeleteRetentionDays')]", root.Module(module).ParameterValue("softDeleteRetentionDays").GetString());
        }
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
