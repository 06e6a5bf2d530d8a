using Azure.Core;
using Azure.Core.Pipeline;

namespace CloudAnon.Cli.Cloud;

/// <summary>Counts the blob requests a run sends (retries included), for the summary's requests per file.</summary>
internal sealed class RequestCount : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Value => Interlocked.Read(ref _count);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
