using System.Text.Json.Nodes;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The app's host.json with the queues extension polling at least every second: an idle queue is otherwise polled
/// less and less often, up to once a minute (the default maxPollingInterval), which a test would wait for.
/// </summary>
internal sealed class FastPollingHostJson : IDisposable
{
    public FastPollingHostJson()
    {
        var root = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(Corpus.RepositoryRoot, "host.json")))!;
        root["extensions"]!["queues"]!["maxPollingInterval"] = "00:00:01";
        File.WriteAllText(Path, root.ToJsonString());
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"cloudanon-host-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(Path);
}
