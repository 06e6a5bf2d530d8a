using System.Text.Json;

namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed class EncryptionAndTelemetryTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void EveryStorageAccount_HasInfrastructureEncryption_AndAccountScopedKeysForEveryService()
    {
        var accounts = infrastructure.ResourcesOfType("Microsoft.Storage/storageAccounts").ToList();
        Assert.Equal(2, accounts.Count);
        foreach (var account in accounts)
        {
            var encryption = account.Properties.GetProperty("encryption");
            Assert.True(encryption.GetProperty("requireInfrastructureEncryption").GetBoolean());
            var services = encryption.GetProperty("services");
            foreach (var service in new[] { "blob", "file", "queue", "table" })
            {
                var (settings, _) = account.Scope.Resolve(services.GetProperty(service));
                Assert.Equal("Account", settings.GetProperty("keyType").GetString());
                Assert.True(settings.GetProperty("enabled").GetBoolean());
            }
        }
    }

    [Fact]
    public void ContentCipher_AllowsAesOnly()
    {
        var parameter = infrastructure.Root.Template.GetProperty("parameters").GetProperty("contentCipher");
        Assert.Equal(["aes128", "aes192", "aes256"], parameter.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("aes256", parameter.GetProperty("defaultValue").GetString());
        Assert.Equal("[parameters('contentCipher')]", infrastructure.Root.Module("function").ResolveParameter("cloudAnonSettings").Value.GetProperty("ContentCipher").GetString());
    }

    [Fact]
    public void Sampling_IsSetWhereOpenTelemetryReadsIt_NotInHostJson()
    {
        // With telemetryMode OpenTelemetry the host ignores host.json's samplingSettings; the Azure Monitor exporter reads
        // OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (its own default would be 5 traces per second).
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        Assert.Equal("OpenTelemetry", hostJson.RootElement.GetProperty("telemetryMode").GetString());
        Assert.False(hostJson.RootElement.GetProperty("logging").TryGetProperty("applicationInsights", out _));

        var function = infrastructure.Root.Module("function");
        var settings = function.Variable("connectionSettings");
        Assert.Equal("microsoft.fixed_percentage", settings.GetProperty("OTEL_TRACES_SAMPLER").GetString());
        Assert.Equal("[parameters('traceSamplingRatio')]", settings.GetProperty("OTEL_TRACES_SAMPLER_ARG").GetString());
        Assert.Equal("1.0", function.ResolveParameter("traceSamplingRatio").Value.GetString());
    }

    [Fact]
    public void Alerts_CoverDeadLetteredEvents_QuarantineGrowth_AndTheCertificate()
    {
        var deadLetter = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Insights/metricAlerts"));
        var criterion = Assert.Single(deadLetter.Properties.GetProperty("criteria").GetProperty("allOf").EnumerateArray());
        Assert.Equal("DeadLetteredCount", criterion.GetProperty("metricName").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal(0, criterion.GetProperty("threshold").GetInt32());
        Assert.Equal(["[resourceId('Microsoft.EventGrid/systemTopics', parameters('eventGridTopicName'))]"],
            deadLetter.Properties.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("[variables('eventGridTopicName')]", deadLetter.Scope.ParameterValue("eventGridTopicName").GetString());

        var logAlerts = deadLetter.Scope.Variable("logAlerts").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Contains("where outcome == \"quarantine\"", logAlerts["cloudanon-quarantine-growth"].GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.Contains("reason == \"CertificateUnavailable\"", logAlerts["cloudanon-certificate-refused"].GetProperty("query").GetString(), StringComparison.Ordinal);
        Assert.Contains("cloudanon.ingress.files", deadLetter.Scope.Variable("filesByOutcome").GetString(), StringComparison.Ordinal);
        var rules = Assert.Single(infrastructure.ResourcesOfType("Microsoft.Insights/scheduledQueryRules"));
        Assert.Equal("[length(variables('logAlerts'))]", rules.Element.GetProperty("copy").GetProperty("count").GetString());

        // Key Vault's own near-expiry event becomes an Azure Monitor alert.
        var vaultTopic = Assert.Single(infrastructure.ResourcesOfType("Microsoft.EventGrid/systemTopics"), t => t.Scope.DeploymentName == "alerts");
        Assert.Equal("Microsoft.KeyVault.vaults", vaultTopic.Properties.GetProperty("topicType").GetString());
        var expiry = Assert.Single(infrastructure.ResourcesOfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"), s => s.Scope.DeploymentName == "alerts");
        Assert.Equal("MonitorAlert", expiry.Properties.GetProperty("destination").GetProperty("endpointType").GetString());
        Assert.Contains("Microsoft.KeyVault.CertificateNearExpiry",
            expiry.Properties.GetProperty("filter").GetProperty("includedEventTypes").EnumerateArray().Select(e => e.GetString()));
    }
}
