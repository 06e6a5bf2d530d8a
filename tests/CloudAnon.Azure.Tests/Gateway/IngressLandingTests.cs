using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CloudAnon.Azure.Gateway;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>The landing's concurrent staging against Azurite: several blocks in flight, one committed blob, nothing from an abandoned upload.</summary>
public sealed class IngressLandingTests
{
    private const int BlockSize = 4 * 1024 * 1024;

    [Fact]
    public async Task AnInstanceOfManyBlocks_IsCommittedWhole_InItsOrder()
    {
        var ingress = await (await AzuriteFixture.EnsureStartedAsync()).CreateBlobContainerAsync("landing");
        var landing = new IngressLanding(ingress, RandomNumberGenerator.GetBytes(32));
        var content = RandomNumberGenerator.GetBytes(IngressLanding.BlocksInFlight * 2 * BlockSize + 12345);

        await using (var upload = landing.Begin("1.2.3.4.5"))
        {
            // Odd-sized writes, as fragments arrive: blocks fill across them.
            for (int offset = 0; offset < content.Length; offset += 65521)
            {
                await upload.Content.WriteAsync(content.AsMemory(offset, Math.Min(65521, content.Length - offset)));
            }

            Assert.Empty(await BlobListing.ListAsync(ingress)); // nothing visible before the commit
            Assert.True(await upload.CommitAsync(CancellationToken.None));
        }

        var blob = Assert.Single(await BlobListing.ListAsync(ingress));
        var client = ingress.GetBlockBlobClient(blob.Name);
        Assert.Equal(content, (await client.DownloadContentAsync()).Value.Content.ToArray());
        var blocks = (await client.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.ToList();
        Assert.Equal(IngressLanding.BlocksInFlight * 2 + 1, blocks.Count);
        Assert.All(blocks.SkipLast(1), block => Assert.Equal(BlockSize, block.SizeLong));
    }

    [Fact]
    public async Task AnAbandonedUpload_WithBlocksInFlight_LeavesNoBlob()
    {
        var ingress = await (await AzuriteFixture.EnsureStartedAsync()).CreateBlobContainerAsync("landing");
        var landing = new IngressLanding(ingress, RandomNumberGenerator.GetBytes(32));

        await using (var upload = landing.Begin("1.2.3.4.6"))
        {
            await upload.Content.WriteAsync(RandomNumberGenerator.GetBytes(3 * BlockSize + 1));
        }

        Assert.Empty(await BlobListing.ListAsync(ingress));
    }

    [Fact]
    public async Task StorageRefusingABlock_SurfacesBeforeTheCommit_AndNothingLands()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var missing = azurite.CreateBlobServiceClient().GetBlobContainerClient(AzuriteInstance.NewContainerName("missing"));
        var landing = new IngressLanding(missing, RandomNumberGenerator.GetBytes(32));

        await using var upload = landing.Begin("1.2.3.4.7");
        var failure = await Record.ExceptionAsync(async () =>
        {
            await upload.Content.WriteAsync(RandomNumberGenerator.GetBytes(2 * BlockSize + 1));
            await upload.CommitAsync(CancellationToken.None);
        });

        Assert.IsType<global::Azure.RequestFailedException>(failure);
        Assert.False(await missing.ExistsAsync());
    }
}
