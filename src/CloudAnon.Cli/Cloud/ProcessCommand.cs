using Azure.Security.KeyVault.Certificates;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.Mapping;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// <c>cloudanon process</c>: runs the <see cref="IngressProcessor"/> that <see cref="IngressPipeline"/> builds for the
/// function too — the same code path and defaults — over every blob in
/// the ingress container, in parallel; with --watch a poller for new ones. Blobs marked processed
/// (<see cref="IngressMetadata.Processed"/>) are skipped from the listing alone. The first failure that is not the file's
/// (the processor quarantines those) stops the run from starting more files: it is the account, the table or the vault.
/// See docs/pipeline.md.
/// </summary>
public static class ProcessCommand
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var arguments = await ProcessArguments.ParseAsync(args, cancellationToken);
        if (arguments.Help)
        {
            Console.Out.Write(ProcessArguments.Usage);
            return ExitCodes.Success;
        }

        return await RunAsync(arguments, cancellationToken);
    }

    private static async Task<int> RunAsync(ProcessArguments arguments, CancellationToken cancellationToken)
    {
        var storage = arguments.Storage;
        var faults = new CloudFaults(storage);
        IngressPipeline pipeline;
        try
        {
            var certificates = IngressPipeline.OpenCertificates(arguments.Certificate, vault => new CertificateClient(vault, CloudCredential.Shared));
            if (certificates is not null)
            {
                // Load it now, so a bad file or an unreachable vault stops the run before any file is read.
                await certificates.GetEncryptionCertificateAsync(cancellationToken);
            }

            var logger = new StandardErrorLogger<IngressProcessor>(arguments.Verbose ? LogLevel.Information : LogLevel.Warning);
            var containers = IngressContainers.Open(storage.Blobs, arguments.Ingress, arguments.Egress, arguments.Quarantine);
            var auditFolder = arguments.AuditDirectory is { } directory
                ? new AuditFolder(directory, new AtomicFile(), arguments.Pipeline.Deidentification)
                : null;
            pipeline = IngressPipeline.Create(arguments.Pipeline, containers, storage.Tables, certificates, logger, auditFolder);
            var neededContainers = new List<BlobContainerClient> { pipeline.Containers.Ingress, pipeline.Containers.Egress, pipeline.Containers.Quarantine };
            if (arguments.Pipeline.RecordAudit) neededContainers.Add(storage.Blobs.GetBlobContainerClient(arguments.Pipeline.AuditContainer));
            foreach (var container in neededContainers)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }

            await MappingTable.CreateIfNotExistsAsync(storage.Tables, arguments.Pipeline.MappingTable, storage.Credential, cancellationToken);
            if (arguments.Pipeline.RecordAudit)
            {
                await MappingTable.CreateIfNotExistsAsync(storage.Tables, arguments.Pipeline.AuditTable, storage.Credential, cancellationToken);
            }
        }
        catch (Exception e) when (faults.Describe(e) is { } fault)
        {
            // Nothing was processed: the account, the table, the certificate or the vault is not usable.
            await Console.Error.WriteLineAsync($"cloudanon process: {fault}");
            return ExitCodes.SomeFilesFailed;
        }

        var (processor, mappingStore) = (pipeline.Processor, pipeline.MappingStore);
        var tally = new ProcessTally();
        long TableRequests() => mappingStore.RoundTrips + (pipeline.Audit?.TableRequests ?? 0);
        using var progress = new Timer(_ => Console.Error.WriteLine($"progress: {tally.Describe(TableRequests(), storage.BlobRequests.Value)}"), null, ProgressInterval, ProgressInterval);
        try
        {
            do
            {
                await ProcessPendingAsync(processor, pipeline.Containers.Ingress, arguments, tally, faults, cancellationToken);
                if (arguments.Watch && faults.First is null)
                {
                    await Task.Delay(arguments.PollInterval, cancellationToken);
                }
            }
            while (arguments.Watch && faults.First is null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cloudanon process: interrupted; files in flight were finished or left unmarked for a rerun");
        }

        Console.WriteLine(tally.Describe(TableRequests(), storage.BlobRequests.Value));
        // The audit's share of the table round trips: a row per file, a study stamp per stamp interval.
        if (pipeline.Audit is { } audit) Console.WriteLine($"audit table requests {audit.TableRequests} (records and study stamps)");
        if (faults.First is { } first)
        {
            await Console.Error.WriteLineAsync(
                $"cloudanon process: stopped after {first}; {tally.NotStarted} listed files not started, {tally.Failed} failed " +
                "(left unmarked: nothing was lost, a rerun completes them)");
        }

        return tally.Failed == 0 && faults.First is null ? ExitCodes.Success : ExitCodes.SomeFilesFailed;
    }

    /// <summary>
    /// One pass over the ingress listing, <see cref="ProcessArguments.Jobs"/> files at a time. A file that fails is counted
    /// and left unmarked, and the run starts no more files: the rest of the listing's page is counted as not started.
    /// </summary>
    private static async Task ProcessPendingAsync(
        IngressProcessor processor, BlobContainerClient ingress, ProcessArguments arguments, ProcessTally tally, CloudFaults faults,
        CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(arguments.Jobs);
        var inFlight = new List<Task>();
        try
        {
            await foreach (var item in ingress.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, arguments.Prefix, cancellationToken))
            {
                if (item.Metadata.ContainsKey(IngressMetadata.Processed))
                {
                    tally.AddSkipped();
                    continue;
                }

                await slots.WaitAsync(cancellationToken);
                if (faults.First is not null)
                {
                    slots.Release();
                    tally.AddNotStarted();
                    continue;
                }

                inFlight.Add(ProcessOneAsync(processor, item.Name, tally, faults, slots, cancellationToken));
                inFlight.RemoveAll(task => task.IsCompleted);
            }
        }
        catch (Exception e) when (faults.Describe(e) is { } fault)
        {
            faults.Record(fault);
            await Console.Error.WriteLineAsync($"error: listing ingress failed: {fault}");
        }

        await Task.WhenAll(inFlight);
    }

    private static async Task ProcessOneAsync(
        IngressProcessor processor, string blobName, ProcessTally tally, CloudFaults faults, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            tally.Add(await processor.ProcessAsync(blobName, cancellationToken));
        }
        catch (Exception e) when (faults.Describe(e) is { } fault)
        {
            tally.AddFailed();
            faults.Record(fault);
            await Console.Error.WriteLineAsync($"error: ingress blob {processor.BlobKey(blobName)} failed: {fault}");
        }
        finally
        {
            slots.Release();
        }
    }
}
