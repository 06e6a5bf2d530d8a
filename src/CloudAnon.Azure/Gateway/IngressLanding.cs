using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Azure.Ingress;
using CloudAnon.Network.Storage;

namespace CloudAnon.Azure.Gateway;

/// <summary>
/// Lands instances received by the gateway in the ingress container: each one a block blob written through staged blocks
/// (<see cref="BlocksInFlight"/> sent at once while the next fills, so a sender is not held up by each block's round trip;
/// memory is those block buffers, whatever the instance size; nothing on local disk) and committed with If-None-Match: *, under a keyed hash of its
/// SOP Instance UID — the key <c>process</c> and the function derive from the mapping key — so names carry no PHI and a
/// resend of an instance is a success without a copy. The function's blob trigger takes it from there.
/// </summary>
public sealed class IngressLanding(BlobContainerClient ingress, byte[] blobNameHashKey) : IInstanceStore
{
    /// <summary>
    /// Blocks staged at once per instance: two 4 MiB blocks in flight while the third fills. Two already keep the sender
    /// and storage busy at the same time; more only raise memory (12 MiB per instance in flight).
    /// </summary>
    public const int BlocksInFlight = 2;

    private readonly BlobNameHasher _names = new(blobNameHashKey);

    public IInstanceUpload Begin(string sopInstanceUid)
    {
        var name = _names.InstanceName(sopInstanceUid);
        return new Upload(_names.BlobKey(name), new StagedBlockWriteStream(ingress.GetBlockBlobClient(name), BlocksInFlight));
    }

    private sealed class Upload(string key, StagedBlockWriteStream content) : IInstanceUpload
    {
        public string Key => key;

        public Stream Content => content;

        public Task<bool> CommitAsync(CancellationToken cancellationToken) =>
            content.CommitIfAbsentAsync(new BlobHttpHeaders { ContentType = IngressProcessor.DicomContentType }, cancellationToken);

        public ValueTask DisposeAsync() => content.DisposeAsync();
    }
}
