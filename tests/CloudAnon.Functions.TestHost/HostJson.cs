using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace CloudAnon.Functions.TestHost;

/// <summary>
/// What this host applies from the app's host.json, as the Functions host would: the logging filters
/// (<c>logging.logLevel</c>) and the blobs extension's <c>maxDegreeOfParallelism</c> and <c>poisonBlobThreshold</c>.
/// </summary>
public sealed class HostJson
{
    private HostJson(IConfiguration logging, int? maxDegreeOfParallelism, int? poisonBlobThreshold)
    {
        Logging = logging;
        MaxDegreeOfParallelism = maxDegreeOfParallelism;
        PoisonBlobThreshold = poisonBlobThreshold;
    }

    /// <summary>The <c>logging</c> section; its <c>logLevel</c> keys are category prefixes, as in .NET logging configuration.</summary>
    public IConfiguration Logging { get; }

    /// <summary><c>extensions.blobs.maxDegreeOfParallelism</c>; null leaves the extension's default.</summary>
    public int? MaxDegreeOfParallelism { get; }

    /// <summary><c>extensions.blobs.poisonBlobThreshold</c>; null leaves the extension's default (5).</summary>
    public int? PoisonBlobThreshold { get; }

    public static HostJson Load(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty.");
        var logging = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false).Build().GetSection("logging");
        var blobs = root["extensions"]?["blobs"];
        return new HostJson(logging, blobs?["maxDegreeOfParallelism"]?.GetValue<int>(), blobs?["poisonBlobThreshold"]?.GetValue<int>());
    }
}
