using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudAnon.Benchmarks.Pipeline;

/// <summary>
/// Measurements of the ingress pipeline on a real storage endpoint (Azurite or an account), not timed tests:
/// <c>large-blob</c> — peak memory while one multi-GiB-capable instance goes ingress → egress;
/// <c>round-trips</c> — mapping-table round trips, entities and bytes per file for a new and a known study.
/// Usage: <c>pipeline (large-blob [--mib N] | round-trips [--files N] | copy [--source C] [--target C] [--jobs 8]) [--connection CONN]</c>; see docs/pipeline.md.
/// </summary>
public static class PipelineBenchmark
{
    private const int MiB = 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        string connection = Option(args, "--connection") ?? Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") ?? "UseDevelopmentStorage=true";
        switch (args.FirstOrDefault())
        {
            case "large-blob":
                await LargeBlobAsync(connection, long.Parse(Option(args, "--mib") ?? "1024") * MiB);
                return 0;
            case "round-trips":
                await RoundTripsAsync(connection, int.Parse(Option(args, "--files") ?? "50"));
                return 0;
            case "copy":
                int jobs = int.Parse(Option(args, "--jobs") ?? "8");
                var copy = await PlainCopy.RunAsync(connection, Option(args, "--source") ?? "ingress", Option(args, "--target") ?? "copy", jobs);
                Console.WriteLine($"plain copy, {jobs} at a time: {copy}");
                return 0;
            default:
                Console.Error.WriteLine("usage: pipeline (large-blob [--mib N] | round-trips [--files N] | copy [--source C] [--target C] [--jobs 8]) [--connection CONN]");
                return 2;
        }
    }

    /// <summary>Streams a generated instance into ingress, then processes it, sampling the process's memory throughout.</summary>
    private static async Task LargeBlobAsync(string connection, long pixelBytes)
    {
        var deployment = await Deployment.CreateAsync(connection);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await using (var instance = await SyntheticInstances.OpenAsync("BENCH-1", SyntheticInstances.NewUid(), SyntheticInstances.NewUid(), pixelBytes))
            {
                await deployment.Containers.Ingress.GetBlobClient("large.dcm").UploadAsync(instance, new BlobUploadOptions
                {
                    TransferOptions = new StorageTransferOptions { InitialTransferSize = 4 * MiB, MaximumTransferSize = 4 * MiB, MaximumConcurrency = 2 },
                });
            }

            Console.WriteLine($"uploaded {pixelBytes / MiB} MiB of pixel data in {stopwatch.Elapsed.TotalSeconds:F1} s");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            ResetPeakResidentSet();
            long baseline = Environment.WorkingSet;
            var (processor, _) = deployment.NewProcessor();
            using var sampler = new MemorySampler();
            stopwatch.Restart();
            var outcome = await processor.ProcessAsync("large.dcm");
            stopwatch.Stop();
            var egress = await deployment.Containers.Egress.GetBlobClient(outcome.EgressBlobName).GetPropertiesAsync();

            Console.WriteLine($"outcome {outcome.Kind} {outcome.ReasonCode}: {outcome.Bytes / (double)MiB:F0} MiB in, {egress.Value.ContentLength / (double)MiB:F0} MiB out, " +
                              $"{stopwatch.Elapsed.TotalSeconds:F1} s, {outcome.Bytes / (double)MiB / stopwatch.Elapsed.TotalSeconds:F0} MiB/s");
            Console.WriteLine($"memory: resident before {baseline / MiB} MiB, peak resident during processing {PeakResidentSet(sampler) / MiB} MiB " +
                              $"(kernel high-water mark), peak managed heap {sampler.PeakManagedBytes / MiB} MiB");
        }
        finally
        {
            await deployment.DeleteAsync();
        }
    }

    /// <summary>New study with one processor, the same study with a fresh processor (cold cache), then warm.</summary>
    private static async Task RoundTripsAsync(string connection, int files)
    {
        var deployment = await Deployment.CreateAsync(connection);
        try
        {
            string patient = "BENCH-" + Guid.NewGuid().ToString("N")[..8], study = SyntheticInstances.NewUid(), series = SyntheticInstances.NewUid();
            var first = deployment.NewProcessor();
            await MeasureAsync("new study, one processor", first, files);
            var fresh = deployment.NewProcessor();
            await MeasureAsync("known study, fresh processor (cold cache)", fresh, files);
            await MeasureAsync("known study, same processor (warm cache)", fresh, files);

            async Task MeasureAsync(string phase, (IngressProcessor Processor, TableMappingStore Store) pipeline, int count)
            {
                var names = new List<string>();
                long inBytes = 0;
                for (int i = 0; i < count; i++)
                {
                    string name = $"{Guid.NewGuid():N}.dcm";
                    await using var instance = await SyntheticInstances.OpenAsync(patient, study, series, 512 * 1024);
                    await deployment.Containers.Ingress.GetBlobClient(name).UploadAsync(instance);
                    names.Add(name);
                }

                long roundTrips = pipeline.Store.RoundTrips, rowsBefore = (await deployment.ReadRowsAsync()).Count;
                var stopwatch = Stopwatch.StartNew();
                long firstFile = 0;
                foreach (var name in names)
                {
                    inBytes += (await pipeline.Processor.ProcessAsync(name)).Bytes;
                    firstFile = firstFile == 0 ? pipeline.Store.RoundTrips - roundTrips : firstFile;
                }

                var rows = await deployment.ReadRowsAsync();
                double entityBytes = rows.Average(EntitySize);
                Console.WriteLine($"{phase}: {(pipeline.Store.RoundTrips - roundTrips) / (double)count:F2} table round trips/file, " +
                                  $"{(rows.Count - rowsBefore) / (double)count:F2} entities written/file (~{entityBytes:F0} B each), " +
                                  $"first file {firstFile}, {inBytes / count / 1024} KiB in/file, {stopwatch.Elapsed.TotalMilliseconds / count:F1} ms/file");
            }
        }
        finally
        {
            await deployment.DeleteAsync();
        }
    }

    /// <summary>An entity's billed size by Azure's formula: 4 + 2·len(PK + RK) + per property 8 + 2·len(name) + value size.</summary>
    private static double EntitySize(TableEntity row) =>
        4 + 2 * (row.PartitionKey.Length + row.RowKey.Length) + row.Keys
            .Where(key => key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            .Sum(key => 8 + 2 * key.Length + row[key] switch { string text => 4 + 2 * text.Length, _ => 8 });

    /// <summary>The kernel's peak resident set since <see cref="ResetPeakResidentSet"/> (Linux), else the sampled peak.</summary>
    private static long PeakResidentSet(MemorySampler sampler)
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
        return line is null ? sampler.PeakWorkingSet : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Resets VmHWM (writing 5 to clear_refs), so the peak covers processing only, not the upload.</summary>
    private static void ResetPeakResidentSet()
    {
        if (File.Exists("/proc/self/clear_refs"))
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>Samples the working set and managed heap every 20 ms until disposed.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public MemorySampler() => _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                PeakWorkingSet = Math.Max(PeakWorkingSet, Environment.WorkingSet);
                PeakManagedBytes = Math.Max(PeakManagedBytes, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(20).ConfigureAwait(false);
            }
        });

        public long PeakWorkingSet { get; private set; }

        public long PeakManagedBytes { get; private set; }

        public void Dispose()
        {
            _stop.Cancel();
            _loop.Wait();
            _stop.Dispose();
        }
    }

    /// <summary>Fresh containers and table on the endpoint, deleted afterwards; processors as separate function instances would be.</summary>
    private sealed class Deployment(IngressContainers containers, TableClient table, byte[] mappingKey, X509Certificate2 certificate)
    {
        public IngressContainers Containers { get; } = containers;

        public static async Task<Deployment> CreateAsync(string connection)
        {
            var blobs = new BlobServiceClient(connection);
            string suffix = Guid.NewGuid().ToString("N")[..12];
            var containers = new IngressContainers(
                blobs.GetBlobContainerClient($"bench-ingress-{suffix}"),
                blobs.GetBlobContainerClient($"bench-egress-{suffix}"),
                blobs.GetBlobContainerClient($"bench-quarantine-{suffix}"));
            foreach (var container in new[] { containers.Ingress, containers.Egress, containers.Quarantine })
            {
                await container.CreateIfNotExistsAsync();
            }

            var table = new TableClient(connection, $"bench{suffix}", TableMappingStore.CreateClientOptions());
            await table.CreateIfNotExistsAsync();
            using var rsa = RSA.Create(3072);
            var certificate = new CertificateRequest("CN=CloudAnon benchmark", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            return new Deployment(containers, table, RandomNumberGenerator.GetBytes(32), certificate);
        }

        public (IngressProcessor Processor, TableMappingStore Store) NewProcessor()
        {
            var store = new TableMappingStore(table, new TableMappingStoreOptions { HashKey = mappingKey });
            var deidentifier = new Deidentifier(new DeidentificationOptions(), store, new FixedCertificate(certificate));
            var processor = new IngressProcessor(Containers, deidentifier,
                new IngressProcessorOptions { BlobNameHashKey = IngressProcessorOptions.DeriveBlobNameHashKey(mappingKey) },
                NullLogger<IngressProcessor>.Instance);
            return (processor, store);
        }

        public async Task<List<TableEntity>> ReadRowsAsync()
        {
            var rows = new List<TableEntity>();
            await foreach (var row in table.QueryAsync<TableEntity>())
            {
                rows.Add(row);
            }

            return rows;
        }

        public async Task DeleteAsync()
        {
            foreach (var container in new[] { Containers.Ingress, Containers.Egress, Containers.Quarantine })
            {
                await container.DeleteIfExistsAsync();
            }

            await table.DeleteAsync();
        }
    }

    private sealed class FixedCertificate(X509Certificate2 certificate) : ICertificateSource
    {
        public ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default) => new(certificate);
    }
}
