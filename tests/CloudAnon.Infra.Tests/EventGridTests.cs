namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed class EventGridTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void SystemTopic_WatchesTheDataStorageAccount()
    {
        var topic = Assert.Single(infrastructure.ResourcesOfType("Microsoft.EventGrid/systemTopics"), r => r.Scope.DeploymentName == "ingress-events");
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.Properties.GetProperty("topicType").GetString());
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]",
            topic.Properties.GetProperty("source").GetString());
        Assert.Equal("[variables('dataStorageAccountName')]",
            topic.Scope.ParameterValue("storageAccountName").GetString());
    }

    [Fact]
    public void Subscription_FiltersBlobCreatedInTheIngressContainer()
    {
        var subscription = IngressSubscription();
        var filter = subscription.Properties.GetProperty("filter");
        Assert.Equal(["Microsoft.Storage.BlobCreated"],
            filter.GetProperty("includedEventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("[format('/blobServices/default/containers/{0}/', parameters('ingressContainerName'))]",
            filter.GetProperty("subjectBeginsWith").GetString());
        Assert.Equal("ingress", subscription.Scope.ResolveString(subscription.Scope.ParameterValue("ingressContainerName")));
    }

    [Fact]
    public void Subscription_DeliversToTheBlobExtensionWebhookOfDeidentifyIngressBlob()
    {
        var subscription = IngressSubscription();
        var destination = subscription.Properties.GetProperty("destination");
        Assert.Equal("WebHook", destination.GetProperty("endpointType").GetString());

        var endpoint = subscription.Scope.InlineVariables(destination.GetProperty("properties").GetProperty("endpointUrl").GetString()!);
        Assert.StartsWith("[format('https://{0}/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}'", endpoint, StringComparison.Ordinal);
        Assert.Contains("reference(resourceId('Microsoft.Web/sites', parameters('functionAppName')), '2024-04-01').defaultHostName, 'DeidentifyIngressBlob', ", endpoint, StringComparison.Ordinal);
        Assert.EndsWith("listKeys(format('{0}/host/default', resourceId('Microsoft.Web/sites', parameters('functionAppName'))), '2024-04-01').systemKeys.blobs_extension)]", endpoint, StringComparison.Ordinal);
        Assert.Equal("[variables('functionAppName')]", subscription.Scope.ParameterValue("functionAppName").GetString());
    }

    [Fact]
    public void Subscription_DeadLettersUndeliverableEvents()
    {
        var subscription = IngressSubscription();
        var deadLetter = subscription.Properties.GetProperty("deadLetterWithResourceIdentity");
        Assert.Equal("SystemAssigned", deadLetter.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("StorageBlob", deadLetter.GetProperty("deadLetterDestination").GetProperty("endpointType").GetString());
    }

    [Fact]
    public void Subscription_IsCreatedOnlyWhenAzdEnablesItAfterTheFirstDeployment()
    {
        // The webhook key exists only once the blob extension has started, i.e. after the code is deployed.
        var module = Assert.Single(infrastructure.Root.AllResources(), r => r.Name == "ingress-subscription");
        Assert.Equal("[parameters('ingressEventSubscriptionEnabled')]", module.Condition);
        Assert.False(infrastructure.Root.ParameterValue("ingressEventSubscriptionEnabled").GetBoolean());
    }

    private ArmResource IngressSubscription() =>
        Assert.Single(infrastructure.ResourcesOfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"), r => r.Scope.DeploymentName == "ingress-subscription");
}
