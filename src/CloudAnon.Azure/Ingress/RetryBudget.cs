using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace CloudAnon.Azure.Ingress;

/// <summary>
/// Ends a blob that keeps failing in quarantine with <see cref="QuarantineReasons.RetriesExhausted"/> instead of the blob
/// extension's poison queue. The isolated worker is not told how often the host delivered a blob (the dequeue count
/// stays in the host, and <c>FunctionContext.RetryContext</c> is only filled for function retry policies, which blob
/// triggers do not have), so failed deliveries are counted in the ingress blob's own metadata. On the failure that
/// reaches <see cref="MaxDeliveries"/>, the function has the processor quarantine it and the delivery succeeds (a
/// re-upload replaces the metadata, so its count starts again). See docs/functions.md.
/// </summary>
public sealed class RetryBudget
{
    /// <summary>host.json <c>extensions.blobs.poisonBlobThreshold</c>: the host's deliveries before its poison queue (a test keeps them equal).</summary>
    public const int MaxDeliveries = 3;

    private const int MaxUpdateRounds = 5;

    private readonly IngressContainers _containers;

    public RetryBudget(IngressContainers containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        _containers = containers;
    }

    /// <summary>Counts one failed delivery; returns the failures so far, or 0 when the blob no longer exists.</summary>
    public async Task<int> RecordFailureAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var blob = _containers.Ingress.GetBlobClient(blobName);
        for (var round = 0; ; round++)
        {
            BlobProperties properties;
            try
            {
                properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                return 0;
            }

            var failures = (properties.Metadata.TryGetValue(IngressMetadata.Failures, out var stored) && int.TryParse(stored, out var count) ? count : 0) + 1;
            var metadata = new Dictionary<string, string>(properties.Metadata) { [IngressMetadata.Failures] = failures.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            try
            {
                // Conditional on the version read, so concurrent deliveries of one blob each count.
                await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken).ConfigureAwait(false);
                return failures;
            }
            catch (RequestFailedException exception) when (exception.Status is 404 or 412 && round < MaxUpdateRounds)
            {
            }
        }
    }
}
