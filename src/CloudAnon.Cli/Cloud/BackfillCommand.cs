using CloudAnon.Azure.Backfill;
using CloudAnon.Azure.Mapping;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// <c>cloudanon backfill</c>: enqueues one message per unprocessed ingress blob on the backfill queue, for the deployed
/// app's queue trigger to process at Flex Consumption's scale; resumable from the position saved in the mapping table.
/// </summary>
internal static class BackfillCommand
{
    public const string Verb = "backfill";

    public static readonly string Usage = $"""
        Usage: cloudanon backfill [STORAGE] [MAPPING KEY] [--ingress NAME] [--prefix P] [--queue NAME] [--table NAME] [--restart]
        Lists the ingress container and puts one message per blob not yet marked processed on the backfill queue; the
        deployed app's queue trigger (DeidentifyBackfillBlob) processes them with the function's own code. Event Grid
        fires only for blobs created after its subscription: this is how the blobs that were there before get done.
        The position is saved (encrypted) in the mapping table after every page of 5,000 blobs: a stopped backfill
        continues where it stopped; blobs done meanwhile by the blob trigger are skipped by the processor.

        {StorageTarget.Usage}
        {MappingKeyArguments.Usage}
          Where (defaults match infra/):
            --ingress NAME             default ingress
            --queue NAME               default backfill (the app setting BackfillQueue)
            --table NAME               default mappings (holds the saved position)
            --prefix P                 Only blobs whose names start with P (one saved position per prefix).
          Run:
            --restart                  Ignore a saved position (also after a finished backfill) and list from the start.
          -h --help                    This help.
        Exit codes: 0 done, 1 the account could not be reached (rerun to continue), 2 usage error.
        """;

    private static readonly HashSet<string> ValueOptions =
        [.. StorageTarget.ValueOptions, .. MappingKeyArguments.ValueOptions, "--ingress", "--queue", "--table", "--prefix"];

    private static readonly HashSet<string> Switches = ["--restart"];

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var arguments = VerbArguments.Parse(Verb, args, ValueOptions, Switches);
        if (arguments.Help)
        {
            Console.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (arguments.Operands.Count > 0) throw arguments.Error($"unexpected operand '{arguments.Operands[0]}'");
        var storage = StorageTarget.From(arguments);
        var mappingKey = await MappingKeyArguments.ReadAsync(arguments, cancellationToken);
        var table = arguments.Value("--table") ?? "mappings";
        var ingress = storage.Blobs.GetBlobContainerClient(arguments.Value("--ingress") ?? "ingress");
        var queue = storage.Queues.GetQueueClient(arguments.Value("--queue") ?? "backfill");
        var options = new BackfillOptions { Prefix = arguments.Value("--prefix"), Restart = arguments.Has("--restart") };
        var faults = new CloudFaults(storage);
        try
        {
            if (storage.Credential is null)
            {
                // Azurite or a shared-key account: set up what infra/ creates in Azure.
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await MappingTable.CreateIfNotExistsAsync(storage.Tables, table, credential: null, cancellationToken);
            }

            var enqueuer = new BackfillEnqueuer(ingress, queue, storage.Tables.GetTableClient(table), mappingKey);
            var result = await enqueuer.RunAsync(options, sent => Console.Error.WriteLine($"progress: {sent} messages sent"), cancellationToken);
            Console.WriteLine(result.AlreadyComplete
                ? "backfill: a previous run finished this listing; nothing sent (--restart lists it again)"
                : $"backfill: {result.Enqueued} messages sent to queue {queue.Name}, {result.Skipped} blobs already processed" +
                  $"{(result.Resumed ? ", continued from the saved position" : "")} | {result.Duration.TotalSeconds:F1} s: " +
                  $"{result.Enqueued / Math.Max(result.Duration.TotalSeconds, 1e-3):F0} messages/s");
            return ExitCodes.Success;
        }
        catch (Exception e) when (faults.Describe(e) is { } fault)
        {
            await Console.Error.WriteLineAsync($"cloudanon backfill: stopped: {fault}; the position of the last full page is saved, rerun to continue");
            return ExitCodes.SomeFilesFailed;
        }
    }
}
