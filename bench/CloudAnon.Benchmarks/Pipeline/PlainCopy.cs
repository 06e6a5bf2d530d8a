using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudAnon.TestSupport;

namespace CloudAnon.Benchmarks.Pipeline;

/// <summary>
/// The yardstick of <c>cloudanon process</c>: a plain parallel copy of every blob of one container to another through the
/// same SDK and emulator — download whole, upload whole, <c>jobs</c> at a time — with its files/s and requests per file.
/// </summary>
internal static class PlainCopy
{
    public static async Task RunAsync(string connection, string source, string target, int jobs)
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
        double seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"plain copy, {jobs} at a time: files {names.Count} | {bytes / 1e6:F1} MB in {seconds:F1} s: {names.Count / seconds:F1} files/s, " +
                          $"{bytes / 1e6 / seconds:F1} MB/s | blob requests {counter.Total} ({(double)counter.Total / names.Count:F2}/file)");
    }
}
