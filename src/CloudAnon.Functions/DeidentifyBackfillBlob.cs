using System.Diagnostics;
using CloudAnon.Azure.Ingress;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions;

/// <summary>
/// The queue trigger of the backfill (<c>cloudanon backfill</c> puts one message per existing ingress blob, its name, on
/// the queue named by <see cref="SettingNames.BackfillQueue"/>). It hands the blob to the same
/// <see cref="IngressProcessor"/> as the blob trigger: a blob the blob trigger already did is marked and skipped, so each
/// file is done once. A failure is rethrown: the host's queue retries (host.json <c>maxDequeueCount</c>) and then its
/// poison queue apply, and the blob stays unmarked for the next backfill.
/// </summary>
public sealed partial class DeidentifyBackfillBlob(IngressProcessor processor, IngressMetrics metrics, ILogger<DeidentifyBackfillBlob> logger)
{
    public const string FunctionName = nameof(DeidentifyBackfillBlob);

    /// <param name="blobName">The message: an ingress blob name (PHI-prone: never logged, only its keyed hash).</param>
    [Function(FunctionName)]
    public async Task RunAsync(
        [QueueTrigger("%" + SettingNames.BackfillQueue + "%", Connection = SettingNames.Storage)] string blobName,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            metrics.Record(await processor.ProcessAsync(blobName, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = IngressFailure.Classify(exception).Reason;
            metrics.RecordFailure(reason, Stopwatch.GetElapsedTime(started));
            LogFailed(processor.BlobKey(blobName), reason, FailureDetail.Describe(exception));
            throw;
        }
    }

    [LoggerMessage(110, LogLevel.Warning, "Backfill of ingress blob {BlobKey} failed ({ReasonCode}); the host retries the message, then moves it to the poison queue: {Detail}")]
    private partial void LogFailed(string blobKey, string reasonCode, string detail);
}
