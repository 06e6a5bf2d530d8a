namespace CloudAnon.Infra.Tests;

/// <summary>Private by default: firewalls deny, public endpoints are off unless something must pass, the app takes Event Grid only.</summary>
[Collection(CompiledInfrastructureCollection.Name)]
public sealed class NetworkTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void Default_IsTheVnetWithPrivateEndpoints_AndAnEmptyAllowList()
    {
        var root = infrastructure.Root;
        Assert.True(root.ParameterValue("vnetEnabled").GetBoolean());
        Assert.Equal("", root.ParameterValue("allowedIpAddresses").GetString());
        Assert.Equal("[not(parameters('vnetEnabled'))]", root.Variable("publicNetworkOpen").GetString());
        Assert.Equal("[parameters('vnetEnabled')]", Assert.Single(root.AllResources(), r => r.Name == "network").Condition);
        foreach (var module in new[] { "data-storage", "runtime-storage", "key-vault" })
        {
            Assert.Equal("[variables('publicNetworkOpen')]", root.Module(module).ParameterValue("publicNetworkOpen").GetString());
            Assert.Equal("[variables('allowedIpList')]", root.Module(module).ParameterValue("allowedIpAddresses").GetString());
        }
    }

    [Fact]
    public void StorageAccounts_DenyByDefault_AndTurnThePublicEndpointOffWhenNothingMustPass()
    {
        var storage = infrastructure.Root.Module("data-storage");
        var account = Assert.Single(storage.AllResources(), r => r.Type == "Microsoft.Storage/storageAccounts");
        var acls = account.Properties.GetProperty("networkAcls");
        Assert.Equal("[if(parameters('publicNetworkOpen'), 'Allow', 'Deny')]", acls.GetProperty("defaultAction").GetString());
        Assert.Equal("[if(parameters('allowTrustedServices'), 'AzureServices', 'None')]", acls.GetProperty("bypass").GetString());
        Assert.Equal("[parameters('allowedIpAddresses')[copyIndex('ipRules')]]", Assert.Single(acls.GetProperty("copy").EnumerateArray()).GetProperty("input").GetProperty("value").GetString());
        Assert.Equal("[if(or(or(parameters('publicNetworkOpen'), parameters('allowTrustedServices')), not(empty(parameters('allowedIpAddresses')))), 'Enabled', 'Disabled')]",
            account.Properties.GetProperty("publicNetworkAccess").GetString());

        // Only the data account lets trusted services through: Event Grid dead-letters with its managed identity. The
        // runtime account has nothing that must pass, so with the defaults its public endpoint is off.
        Assert.True(infrastructure.Root.Module("data-storage").ParameterValue("allowTrustedServices").GetBoolean());
        Assert.False(infrastructure.Root.Module("runtime-storage").Deployment!.Value.GetProperty("properties").GetProperty("parameters").TryGetProperty("allowTrustedServices", out _));
        Assert.False(storage.Template.GetProperty("parameters").GetProperty("allowTrustedServices").GetProperty("defaultValue").GetBoolean());
    }

    [Fact]
    public void KeyVault_DeniesByDefault_AndTurnsThePublicEndpointOffWithoutAnAllowList()
    {
        var vault = Assert.Single(infrastructure.ResourcesOfType("Microsoft.KeyVault/vaults"));
        Assert.Equal("[if(parameters('publicNetworkOpen'), 'Allow', 'Deny')]", vault.Properties.GetProperty("networkAcls").GetProperty("defaultAction").GetString());
        Assert.Equal("[if(or(parameters('publicNetworkOpen'), not(empty(parameters('allowedIpAddresses')))), 'Enabled', 'Disabled')]",
            vault.Properties.GetProperty("publicNetworkAccess").GetString());
    }

    [Fact]
    public void AllowList_IsCommaSeparated_AndBecomesCidrRangesForTheScmSite()
    {
        var root = infrastructure.Root;
        Assert.Equal("[filter(map(split(parameters('allowedIpAddresses'), ','), lambda('ip', trim(lambdaVariables('ip')))), lambda('ip', not(empty(lambdaVariables('ip')))))]",
            root.Variable("allowedIpList").GetString());
        Assert.Equal("[map(variables('allowedIpList'), lambda('ip', if(contains(lambdaVariables('ip'), '/'), lambdaVariables('ip'), format('{0}/32', lambdaVariables('ip')))))]",
            root.Variable("scmAllowedIpRanges").GetString());
        Assert.Equal("[variables('scmAllowedIpRanges')]", root.Module("function").ParameterValue("scmAllowedIpRanges").GetString());
    }

    [Fact]
    public void FunctionApp_TakesEventGridDeliveriesOnly_AndScmOnlyFromTheAllowList()
    {
        var site = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Web/sites"));
        var siteConfig = site.Properties.GetProperty("siteConfig");
        Assert.Equal("Deny", siteConfig.GetProperty("ipSecurityRestrictionsDefaultAction").GetString());
        Assert.Equal("Deny", siteConfig.GetProperty("scmIpSecurityRestrictionsDefaultAction").GetString());
        Assert.False(siteConfig.GetProperty("scmIpSecurityRestrictionsUseMain").GetBoolean());

        var loops = siteConfig.GetProperty("copy").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("input"));
        var main = loops["ipSecurityRestrictions"];
        Assert.Equal("ServiceTag", main.GetProperty("tag").GetString());
        Assert.Equal("Allow", main.GetProperty("action").GetString());
        Assert.Equal("[parameters('allowedServiceTags')[copyIndex('ipSecurityRestrictions')]]", main.GetProperty("ipAddress").GetString());
        var (tags, _) = site.Scope.ResolveParameter("allowedServiceTags");
        Assert.Equal(["AzureEventGrid"], tags.EnumerateArray().Select(t => t.GetString()));

        var scm = loops["scmIpSecurityRestrictions"];
        Assert.Equal("Allow", scm.GetProperty("action").GetString());
        Assert.False(scm.TryGetProperty("tag", out _));
        Assert.Equal("[parameters('scmAllowedIpRanges')[copyIndex('scmIpSecurityRestrictions')]]", scm.GetProperty("ipAddress").GetString());
    }
}
