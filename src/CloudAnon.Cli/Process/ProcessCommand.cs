using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.Core.Certificates;
using CloudAnon.Core.Mapping;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Cli.Process;

/// <summary>
/// <c>cloudanon process</c>: runs the <see cref="IngressProcessor"/> — the function's own code path — over every blob in
/// the ingress container, in parallel; the backfill tool for blobs that landed before a deployment, and with --watch a
/// poller for new ones. Blobs marked processed (<see cref="IngressMetadata.Processed"/>) are skipped from the listing
/// alone. See docs/pipeline.md.
/// </summary>
public static class ProcessCommand
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ProcessArguments arguments;
        try
        {
            arguments = ProcessArguments.Parse(args);
        }
        catch (CliUsageException e)
        {
            await Console.Error.WriteLineAsync($"cloudanon process: {e.Message}");
            return ExitCodes.UsageError;
        }

        try
        {
            return await RunAsync(arguments, cancellationToken);
        }
        catch (Exception e) when (e is RequestFailedException or MappingStoreException or CertificateUnavailableException or FormatException or ArgumentException)
        {
            // Setup failed (bad connection string, unreachable account, unreadable certificate): nothing was processed.
            await Console.Error.WriteLineAsync($"cloudanon process: {Describe(e)}");
            return ExitCodes.SomeFilesFailed;
        }
    }

    private static async Task<int> RunAsync(ProcessArguments arguments, CancellationToken cancellationToken)
    {
        var blobs = new BlobServiceClient(arguments.Connection);
        var containers = new IngressContainers(
            blobs.GetBlobContainerClient(arguments.Ingress),
            blobs.GetBlobContainerClient(arguments.Egress),
            blobs.GetBlobContainerClient(arguments.Quarantine));
        foreach (var container in new[] { containers.Ingress, containers.Egress, containers.Quarantine })
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        var table = new TableClient(arguments.Connection, arguments.Table, TableMappingStore.CreateClientOptions());
        var mappingStore = await TableMappingStore.CreateAsync(table, new TableMappingStoreOptions { HashKey = arguments.MappingKey }, cancellationToken);
        var deidentifier = new Deidentifier(
            arguments.Options with { UidRoot = arguments.UidRoot, Irreversible = arguments.Irreversible },
            mappingStore,
            arguments.CertificatePath is { } path ? new PemCertificateSource(path) : null);
        var logger = new StandardErrorLogger<IngressProcessor>(arguments.Verbose ? LogLevel.Information : LogLevel.Warning);
        var processor = new IngressProcessor(containers, deidentifier, new IngressProcessorOptions
        {
            DeleteIngressAfterSuccess = arguments.DeleteIngress,
            QuarantineBurnedInAnnotation = !arguments.AllowBurnedIn,
            QuarantineSuspectedBurnedInAnnotation = arguments.QuarantineSuspectedBurnedIn,
            BlobNameHashKey = IngressProcessorOptions.DeriveBlobNameHashKey(arguments.MappingKey),
        }, logger);

        var tally = new ProcessTally();
        using var progress = new Timer(_ => Console.Error.WriteLine($"progress: {tally.Describe(mappingStore.RoundTrips)}"), null, ProgressInterval, ProgressInterval);
        try
        {
            do
            {
                await ProcessPendingAsync(processor, containers.Ingress, arguments.Jobs, tally, cancellationToken);
                if (arguments.Watch)
                {
                    await Task.Delay(arguments.PollInterval, cancellationToken);
                }
            }
            while (arguments.Watch);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("cloudanon process: stopped");
        }

        Console.WriteLine(tally.Describe(mappingStore.RoundTrips));
        return tally.Failed == 0 ? ExitCodes.Success : ExitCodes.SomeFilesFailed;
    }

    /// <summary>
    /// One pass over the ingress listing. A blob that fails (storage, table or certificate fault) is counted and left
    /// unmarked, so the next pass or run retries it; quarantined files are outcomes, not failures.
    /// </summary>
    private static async Task ProcessPendingAsync(
        IngressProcessor processor, BlobContainerClient ingress, int jobs, ProcessTally tally, CancellationToken cancellationToken)
    {
        var listing = ingress.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken);
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(listing, options, async (item, token) =>
        {
            if (item.Metadata.ContainsKey(IngressMetadata.Processed))
            {
                tally.AddSkipped();
                return;
            }

            try
            {
                tally.Add(await processor.ProcessAsync(item.Name, token));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                tally.AddFailed();
                await Console.Error.WriteLineAsync($"error: ingress blob {processor.BlobKey(item.Name)} failed: {Describe(e)}");
            }
        });
    }

    /// <summary>Exception type, status and message for the PHI-free exception types; the type and status only for the SDK's, whose messages quote requests.</summary>
    private static string Describe(Exception e) => e switch
    {
        RequestFailedException r => $"storage request failed with status {r.Status} ({r.ErrorCode ?? "no error code"})",
        MappingStoreException or CertificateUnavailableException or DeidentificationException => $"{e.GetType().Name}: {e.Message}",
        _ => e.GetType().Name,
    };
}
