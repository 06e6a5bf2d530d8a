using System.Reflection;
using System.Text.Json;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.Tests;

/// <summary>What the Functions host reads from the deployment package: checked on a real `dotnet publish`.</summary>
public sealed class PublishedMetadataTests
{
    [Fact]
    public async Task Publish_DeclaresTheEventGridBlobTriggerTheBackfillQueueTriggerAndTheQuietStudyTimer()
    {
        var output = Directory.CreateTempSubdirectory("cloudanon-publish-").FullName;
        try
        {
            await PublishAsync(output);

            using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "functions.metadata")));
            var functions = metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
            Assert.Equal([DeidentifyBackfillBlob.FunctionName, DeidentifyIngressBlob.FunctionName, EmitQuietStudies.FunctionName], functions.Keys.Order());
            Assert.All(functions.Values, f => Assert.Equal("dotnet-isolated", f.GetProperty("language").GetString()));

            var trigger = Assert.Single(functions[DeidentifyIngressBlob.FunctionName].GetProperty("bindings").EnumerateArray());
            Assert.Equal("blobTrigger", trigger.GetProperty("type").GetString());
            Assert.Equal("In", trigger.GetProperty("direction").GetString());
            Assert.Equal("%IngressContainer%/{name}", trigger.GetProperty("path").GetString());
            Assert.Equal("EventGrid", trigger.GetProperty("source").GetString());
            Assert.Equal(SettingNames.Storage, trigger.GetProperty("connection").GetString());

            var queue = Assert.Single(functions[DeidentifyBackfillBlob.FunctionName].GetProperty("bindings").EnumerateArray());
            Assert.Equal("queueTrigger", queue.GetProperty("type").GetString());
            Assert.Equal("%BackfillQueue%", queue.GetProperty("queueName").GetString());
            Assert.Equal(SettingNames.Storage, queue.GetProperty("connection").GetString());

            var timer = Assert.Single(functions[EmitQuietStudies.FunctionName].GetProperty("bindings").EnumerateArray());
            Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
            Assert.Equal(EmitQuietStudies.Schedule, timer.GetProperty("schedule").GetString());

            Assert.True(File.Exists(Path.Combine(output, "host.json")));
            Assert.True(File.Exists(Path.Combine(output, "worker.config.json")));
            var extensions = await File.ReadAllTextAsync(Path.Combine(output, "extensions.json"));
            Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Blobs", extensions);
            Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Queues", extensions);
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
