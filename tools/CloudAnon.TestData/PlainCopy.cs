using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace CloudAnon.TestData;

/// <summary>What a plain copy moved and how fast; <see cref="ToString"/> is the line the benchmarks print.</summary>
public sealed record PlainCopyResult(int Files, long Bytes, TimeSpan Elapsed, long Requests)
{
    public double FilesPerSecond => Files / Elapsed.TotalSeconds;

    public override string ToString() =>
        $"files {Files} | {Bytes / 1e6:F1} MB in {Elapsed.TotalSeconds:F1} s: {FilesPerSecond:F1} files/s, {Bytes / 1e6 / Elapsed.TotalSeconds:F1} MB/s " +
        $"| blob requests {Requests} ({(double)Requests / Files:F2}/file)";
}

/// <summary>
/// The yardstick of <c>cloudanon process</c> and of the backfill's queue consumer: a plain parallel copy of every blob of
/// one container to another through the same SDK and emulator — download whole, upload whole, <c>jobs</c> at a time.
/// </summary>
public static class PlainCopy
{
    public static async Task<PlainCopyResult> RunAsync(string connection, string source, string target, int jobs)
    {
        var counter = new RequestCounter();
        var service = new BlobServiceClient(connection, counter.AddTo(new BlobClientOptions()));
        var from = service.GetBlobContainerClient(source);
        var to = service.GetBlobContainerClient(target);
        await to.CreateIfNotExistsAsync();
        var names = new List<string>();
        await foreach (var blob in from.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, default))
        {
            names.Add(blob.Name);
        }

        counter.Reset();
        long bytes = 0;
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = jobs }, async (name, token) =>
        {
            var content = (await from.GetBlobClient(name).DownloadContentAsync(token)).Value.Content;
            Interlocked.Add(ref bytes, content.ToMemory().Length);
            await to.GetBlobClient(name).UploadAsync(content, overwrite: true, token);
        });
        return new PlainCopyResult(names.Count, bytes, stopwatch.Elapsed, counter.Total);
    }
}
