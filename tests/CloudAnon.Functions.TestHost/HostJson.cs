using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace CloudAnon.Functions.TestHost;

/// <summary>
/// What this host applies from the app's host.json, as the Functions host would: the logging filters
/// (<c>logging.logLevel</c>), the blobs extension's <c>maxDegreeOfParallelism</c> and <c>poisonBlobThreshold</c>, and the
/// queues extension's section (<c>batchSize</c>, <c>maxDequeueCount</c>, <c>visibilityTimeout</c>, <c>maxPollingInterval</c> …).
/// </summary>
public sealed class HostJson
{
    private HostJson(IConfiguration logging, IConfiguration queues, int? maxDegreeOfParallelism, int? poisonBlobThreshold)
    {
        Logging = logging;
        Queues = queues;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        PoisonBlobThreshold = poisonBlobThreshold;
    }

    /// <summary>The <c>logging</c> section; its <c>logLevel</c> keys are category prefixes, as in .NET logging configuration.</summary>
    public IConfiguration Logging { get; }

    /// <summary><c>extensions.queues</c>, bound onto the queues extension's options (names as in host.json, any letter case).</summary>
    public IConfiguration Queues { get; }

    /// <summary><c>extensions.blobs.maxDegreeOfParallelism</c>; null leaves the extension's default.</summary>
    public int? MaxDegreeOfParallelism { get; }

    /// <summary><c>extensions.blobs.poisonBlobThreshold</c>; null leaves the extension's default (5).</summary>
    public int? PoisonBlobThreshold { get; }

    public static HostJson Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty.");
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false).Build();
        var blobs = root["extensions"]?["blobs"];
        return new HostJson(
            configuration.GetSection("logging"), configuration.GetSection("extensions:queues"),
            blobs?["maxDegreeOfParallelism"]?.GetValue<int>(), blobs?["poisonBlobThreshold"]?.GetValue<int>());
    }
}
