using System.Text.Json.Nodes;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The app's host.json with the queues extension polling at least every second: an idle queue is otherwise polled
/// less and less often, up to once a minute (the default maxPollingInterval), which a test would wait for.
/// Optionally a failed message is visible again after <c>visibilityTimeout</c> instead of host.json's.
/// </summary>
internal sealed class FastPollingHostJson : IDisposable
{
    public FastPollingHostJson(TimeSpan? visibilityTimeout = null)
    {
        var root = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(Corpus.RepositoryRoot, "host.json")))!;
        var queues = root["extensions"]!["queues"]!;
        queues["maxPollingInterval"] = "00:00:01";
        if (visibilityTimeout is { } timeout)
        {
            queues["visibilityTimeout"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        File.WriteAllText(Path, root.ToJsonString());
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cloudanon-host-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(Path);
}
