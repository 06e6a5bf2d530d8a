using System.Globalization;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace Host;

public sealed partial class Functions
{
    /// <summary>
    /// CloudAnon's DeidentifyBackfillBlob trigger: a queue trigger on <c>%BackfillQueue%</c> with connection <c>Storage</c>.
    /// The queue extension polls the queue and hands over each message's text (an ingress blob name, as
    /// <c>cloudanon backfill</c> sends it); a failure in the worker throws, so the message becomes visible again until
    /// host.json's <c>maxDequeueCount</c>, then goes to the <c>-poison</c> queue.
    /// </summary>
    public Task DeidentifyBackfillBlob(
        [QueueTrigger("%BackfillQueue%", Connection = "Storage")] string message,
        string id,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        worker.InvokeAsync(
            nameof(DeidentifyBackfillBlob),
            new TypedData { String = message },
            new Dictionary<string, TypedData>
            {
                ["Id"] = new() { String = id },
                ["DequeueCount"] = new() { Json = dequeueCount.ToString(CultureInfo.InvariantCulture) },
            },
            cancellationToken);
}
