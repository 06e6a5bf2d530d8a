using System.Diagnostics;
using Azure.Storage.Blobs;
using CloudAnon.Azure.Ingress;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions;

/// <summary>
/// The blob trigger on the ingress container (Event Grid source, as Flex Consumption requires; infra/ subscribes the
/// webhook to this function's name). It hands the blob to the <see cref="IngressProcessor"/>; file failures are
/// quarantined there, environment failures are rethrown so the host delivers the blob again, and the last delivery the
/// <see cref="RetryBudget"/> allows quarantines it instead of rethrowing.
/// </summary>
public sealed partial class DeidentifyIngressBlob(
    IngressProcessor processor, RetryBudget retries, IngressMetrics metrics, ILogger<DeidentifyIngressBlob> logger)
{
    public const string FunctionName = nameof(DeidentifyIngressBlob);

    /// <param name="ingressBlob">Bound as a client so the worker downloads nothing: the processor streams the blob itself.</param>
    /// <param name="name">The blob name from the trigger path (PHI-prone: never logged, only its keyed hash).</param>
    [Function(FunctionName)]
    public async Task RunAsync(
        [BlobTrigger("%" + SettingNames.IngressContainer + "%/{name}", Source = BlobTriggerSource.EventGrid, Connection = SettingNames.Storage)]
        BlobClient ingressBlob,
        string name,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            metrics.Record(await processor.ProcessAsync(name, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = IngressFailure.Classify(exception).Reason;
            metrics.RecordFailure(reason, Stopwatch.GetElapsedTime(started));
            var failures = await CountFailureAsync(name, cancellationToken).ConfigureAwait(false);
            if (failures < RetryBudget.MaxDeliveries)
            {
                LogDeliveryFailed(processor.BlobKey(name), reason, failures, RetryBudget.MaxDeliveries, FailureDetail.Describe(exception));
                throw;
            }

            LogRetriesExhausted(processor.BlobKey(name), reason, failures, FailureDetail.Describe(exception));
            metrics.Record(await processor.QuarantineAsync(name, QuarantineReasons.RetriesExhausted, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Failures so far; 0 when the count cannot be kept, which leaves the host's poison queue as the backstop.</summary>
    private async Task<int> CountFailureAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await retries.RecordFailureAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IngressFailure.IsTransportFailure(exception))
        {
            LogCountFailed(processor.BlobKey(name), exception.GetType().Name);
            return 0;
        }
    }

    [LoggerMessage(100, LogLevel.Warning, "Ingress blob {BlobKey} failed ({ReasonCode}), delivery {Failures} of {MaxDeliveries}; the host retries it: {Detail}")]
    private partial void LogDeliveryFailed(string blobKey, string reasonCode, int failures, int maxDeliveries, string detail);

    [LoggerMessage(101, LogLevel.Error, "Ingress blob {BlobKey} failed ({ReasonCode}) on delivery {Failures}, the last: quarantining it as RetriesExhausted: {Detail}")]
    private partial void LogRetriesExhausted(string blobKey, string reasonCode, int failures, string detail);

    [LoggerMessage(102, LogLevel.Warning, "Ingress blob {BlobKey}: counting the failed delivery failed ({ExceptionType}); the host's poison queue is the backstop")]
    private partial void LogCountFailed(string blobKey, string exceptionType);
}
