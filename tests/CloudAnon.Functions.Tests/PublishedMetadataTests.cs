using System.Reflection;
using System.Text.Json;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.Tests;

/// <summary>What the Functions host reads from the deployment package: checked on a real `dotnet publish`.</summary>
public sealed class PublishedMetadataTests
{
    [Fact]
    public async Task Publish_DeclaresExactlyTheEventGridBlobTriggerOnTheIngressSetting()
    {
        var output = Directory.CreateTempSubdirectory("cloudanon-publish-").FullName;
        try
        {
            await PublishAsync(output);

            using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "functions.metadata")));
            var function = Assert.Single(metadata.RootElement.EnumerateArray());
            Assert.Equal(DeidentifyIngressBlob.FunctionName, function.GetProperty("name").GetString());
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            var trigger = Assert.Single(function.GetProperty("bindings").EnumerateArray());
            Assert.Equal("blobTrigger", trigger.GetProperty("type").GetString());
            Assert.Equal("In", trigger.GetProperty("direction").GetString());
            Assert.Equal("%IngressContainer%/{name}", trigger.GetProperty("path").GetString());
            Assert.Equal("EventGrid", trigger.GetProperty("source").GetString());
            Assert.Equal(SettingNames.Storage, trigger.GetProperty("connection").GetString());

            Assert.True(File.Exists(Path.Combine(output, "host.json")));
            Assert.True(File.Exists(Path.Combine(output, "worker.config.json")));
            Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Blobs", await File.ReadAllTextAsync(Path.Combine(output, "extensions.json")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static Task PublishAsync(string output) => FunctionAppPublish.PublishAsync(
        typeof(PublishedMetadataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!,
        output);
}
