using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CloudAnon.TestData;

/// <summary>
/// Counts the HTTP requests an Azure SDK client sends, by operation ("GET", "PUT comp=metadata", …), retries included:
/// add it to a client's options with <see cref="AddTo"/>. What tests and benchmarks use to count requests per file.
/// </summary>
public sealed class RequestCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    /// <summary>Counts by operation, sorted by name.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> ByOperation => [.. _counts.OrderBy(pair => pair.Key, StringComparer.Ordinal)];

    public T AddTo<T>(T options) where T : ClientOptions
    {
        options.AddPolicy(this, HttpPipelinePosition.PerRetry);
        return options;
    }

    public void Reset() => _counts.Clear();

    public override void OnSendingRequest(HttpMessage message)
    {
        var query = message.Request.Uri.Query;
        var comp = System.Web.HttpUtility.ParseQueryString(query)["comp"];
        var operation = comp is null ? message.Request.Method.Method : $"{message.Request.Method.Method} comp={comp}";
        _counts.AddOrUpdate(operation, 1, (_, count) => count + 1);
    }
}
