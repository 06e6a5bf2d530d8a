using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace CloudAnon.TestSupport;

/// <summary>What a container holds, for assertions.</summary>
public static class BlobListing
{
    /// <summary>Every blob of <paramref name="container"/> with its metadata, in name order.</summary>
    public static async Task<List<BlobItem>> ListAsync(BlobContainerClient container)
    {
        var blobs = new List<BlobItem>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }).ConfigureAwait(false))
        {
            blobs.Add(blob);
        }

        return blobs;
    }
}
