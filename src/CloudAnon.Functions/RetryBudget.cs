using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Azure.Ingress;

namespace CloudAnon.Functions;

/// <summary>
/// Ends a blob that keeps failing in quarantine with <see cref="FailureReasons.RetriesExhausted"/> instead of the blob
/// extension's poison queue. The isolated worker is not told how often the host delivered a blob (the dequeue count
/// stays in the host, and <c>FunctionContext.RetryContext</c> is only filled for function retry policies, which blob
/// triggers do not have), so failed deliveries are counted in the ingress blob's own metadata. On the failure that
/// reaches <see cref="MaxDeliveries"/>, the blob is quarantined and the delivery succeeds. See docs/functions.md.
/// </summary>
public sealed class RetryBudget
{
    /// <summary>host.json <c>extensions.blobs.poisonBlobThreshold</c>: the host's deliveries before its poison queue (a test keeps them equal).</summary>
    public const int MaxDeliveries = 3;

    /// <summary>Metadata on the ingress blob: failed deliveries of this version so far (a re-upload replaces metadata, so it starts again).</summary>
    public const string FailuresMetadata = "cloudanonfailures";

    private const int MaxUpdateRounds = 5;

    private readonly IngressContainers _containers;
    private readonly byte[] _nameHashKey;
    private readonly bool _deleteIngressAfterSuccess;

    /// <param name="nameHashKey">The processor's <see cref="IngressProcessorOptions.BlobNameHashKey"/>, so a blob gets the quarantine name the processor would give it.</param>
    public RetryBudget(IngressContainers containers, byte[] nameHashKey, bool deleteIngressAfterSuccess)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(nameHashKey);
        _containers = containers;
        _nameHashKey = nameHashKey;
        _deleteIngressAfterSuccess = deleteIngressAfterSuccess;
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

            var failures = (properties.Metadata.TryGetValue(FailuresMetadata, out var stored) && int.TryParse(stored, out var count) ? count : 0) + 1;
            var metadata = new Dictionary<string, string>(properties.Metadata) { [FailuresMetadata] = failures.ToString(System.Globalization.CultureInfo.InvariantCulture) };
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

    /// <summary>
    /// Copies the original bytes to quarantine with reason <see cref="FailureReasons.RetriesExhausted"/>, then settles the
    /// ingress blob as the processor does (marked processed, or deleted with AfterSuccess=delete).
    /// </summary>
    public async Task<IngressOutcome> QuarantineAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var started = TimeProvider.System.GetTimestamp();
        var ingress = _containers.Ingress.GetBlobClient(blobName);
        BlobProperties properties;
        try
        {
            properties = await ingress.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return new IngressOutcome(IngressOutcomeKind.AlreadyDone, null, null, 0, TimeProvider.System.GetElapsedTime(started));
        }

        var version = new BlobRequestConditions { IfMatch = properties.ETag };
        var quarantine = _containers.Quarantine.GetBlockBlobClient(QuarantineName(blobName, properties));
        var source = await ingress.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { Conditions = version }, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            try
            {
                await quarantine.UploadAsync(
                    source,
                    new BlobUploadOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
                        Metadata = new Dictionary<string, string> { [IngressMetadata.Reason] = FailureReasons.RetriesExhausted },
                        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412)
            {
                // This version was quarantined by an earlier delivery.
            }
        }

        await SettleIngressAsync(ingress, properties, version, cancellationToken).ConfigureAwait(false);
        return new IngressOutcome(
            IngressOutcomeKind.Quarantine, null, FailureReasons.RetriesExhausted, properties.ContentLength, TimeProvider.System.GetElapsedTime(started));
    }

    private async Task SettleIngressAsync(BlobClient ingress, BlobProperties properties, BlobRequestConditions version, CancellationToken cancellationToken)
    {
        try
        {
            if (_deleteIngressAfterSuccess)
            {
                await ingress.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, version, cancellationToken).ConfigureAwait(false);
                return;
            }

            var metadata = new Dictionary<string, string>(properties.Metadata) { [IngressMetadata.Processed] = IngressMetadata.ProcessedQuarantine };
            await ingress.SetMetadataAsync(metadata, version, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            // Replaced or removed meanwhile: the new version gets its own deliveries.
        }
    }

    /// <summary>The processor's naming: a keyed hash of the name and the content version (its MD5 when known, else the ETag).</summary>
    private string QuarantineName(string blobName, BlobProperties properties)
    {
        var version = properties.ContentHash is { Length: > 0 } md5 ? Convert.ToBase64String(md5) : properties.ETag.ToString();
        return Convert.ToHexStringLower(HMACSHA256.HashData(_nameHashKey, Encoding.UTF8.GetBytes(blobName + "\n" + version)));
    }
}
