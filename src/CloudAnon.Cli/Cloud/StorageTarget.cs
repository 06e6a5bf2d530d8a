using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CloudAnon.Azure.Mapping;
using CloudAnon.Azure.Storage;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// The storage account <c>process</c> and <c>backfill</c> work on: by connection string (Azurite, or an account that allows
/// shared keys) or by endpoint with Entra ID through <see cref="CloudCredential"/> — the deployed account refuses shared keys.
/// </summary>
internal sealed class StorageTarget
{
    public const string ConnectionEnvironmentVariable = "AZURE_STORAGE_CONNECTION_STRING";

    /// <summary>The options naming the account, shared by both verbs.</summary>
    public static readonly string[] ValueOptions = ["--connection", "--account", "--table-uri", "--queue-uri"];

    public const string Usage = """
          Storage account (one of):
            --account URI              Blob service endpoint, e.g. https://NAME.blob.core.windows.net; signs in with Entra ID
                                       (DefaultAzureCredential: environment, managed identity, Azure CLI). The table and queue
                                       endpoints are derived from it; --table-uri URI / --queue-uri URI override them.
            --connection CONN          A connection string; default: the AZURE_STORAGE_CONNECTION_STRING environment variable
                                       (keeps an account key out of `ps`). UseDevelopmentStorage=true is Azurite.
        """;

    private StorageTarget(BlobServiceClient blobs, TableServiceClient tables, Func<QueueServiceClient> queues, TokenCredential? credential, RequestCount blobRequests)
    {
        BlobRequests = blobRequests;
        Blobs = blobs;
        Tables = tables;
        _queues = new Lazy<QueueServiceClient>(queues);
        Credential = credential;
    }

    private readonly Lazy<QueueServiceClient> _queues;

    public BlobServiceClient Blobs { get; }

    /// <summary>Requests the blob client has sent so far.</summary>
    public RequestCount BlobRequests { get; }

    public TableServiceClient Tables { get; }

    public QueueServiceClient Queues => _queues.Value;

    /// <summary>The Entra ID credential of an endpoint-based target; null for a connection string.</summary>
    public TokenCredential? Credential { get; }

    /// <param name="configureBlobs">Adjusts the blob client (the gateway shortens its retries to answer a sender in seconds).</param>
    /// <exception cref="CliUsageException">Neither or both forms, or an endpoint that is not an absolute URI.</exception>
    public static StorageTarget From(VerbArguments arguments, Action<BlobClientOptions>? configureBlobs = null)
    {
        var blobOptions = new BlobClientOptions();
        configureBlobs?.Invoke(blobOptions);
        var blobRequests = new RequestCount();
        blobOptions.AddPolicy(blobRequests, HttpPipelinePosition.PerRetry);
        var tableOptions = TableMappingStore.CreateClientOptions();
        var account = Resolve(arguments);
        if (account.ConnectionString is not null)
        {
            try
            {
                return new StorageTarget(
                    account.CreateBlobServiceClient(null, blobOptions),
                    account.CreateTableServiceClient(null, tableOptions),
                    () => account.CreateQueueServiceClient(null, QueueOptions()),
                    credential: null, blobRequests);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                throw arguments.Error("--connection is not a storage connection string (AccountName=…;AccountKey=…;BlobEndpoint=… or UseDevelopmentStorage=true)");
            }
        }

        if (account.TableServiceUri is null)
        {
            throw Underivable(arguments, "table");
        }

        var credential = CloudCredential.Shared;
        return new StorageTarget(
            account.CreateBlobServiceClient(credential, blobOptions),
            account.CreateTableServiceClient(credential, tableOptions),
            // Only backfill sends to the queue, so only it needs the queue endpoint.
            () => account.QueueServiceUri is null ? throw Underivable(arguments, "queue") : account.CreateQueueServiceClient(credential, QueueOptions()),
            credential, blobRequests);
    }

    /// <summary>Wires the arguments to <see cref="StorageAccount"/>, naming the argument at fault.</summary>
    private static StorageAccount Resolve(VerbArguments arguments)
    {
        var account = arguments.Value("--account");
        var connection = arguments.Value("--connection");
        if (account is not null && connection is not null) throw arguments.Error("give --account or --connection, not both");
        if (account is null)
        {
            if (arguments.Value("--table-uri") is not null || arguments.Value("--queue-uri") is not null)
            {
                throw arguments.Error("--table-uri and --queue-uri go with --account (a connection string names its own endpoints)");
            }

            connection ??= Environment.GetEnvironmentVariable(ConnectionEnvironmentVariable)
                ?? throw arguments.Error($"name the storage account: --account URI (Entra ID) or --connection CONN (or {ConnectionEnvironmentVariable})");
            return StorageAccount.FromConnectionString(connection);
        }

        return StorageAccount.FromEndpoints(
            Endpoint(arguments, "--account", account),
            arguments.Value("--table-uri") is { } table ? Endpoint(arguments, "--table-uri", table) : null,
            arguments.Value("--queue-uri") is { } queue ? Endpoint(arguments, "--queue-uri", queue) : null);
    }

    /// <summary>Messages are base64, as the Functions queue trigger expects by default.</summary>
    private static QueueClientOptions QueueOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    private static Uri Endpoint(VerbArguments arguments, string option, string text) =>
        StorageAccount.TryParseEndpoint(text, out var uri) ? uri : throw arguments.Error($"{option} must be an absolute https:// endpoint URI");

    private static CliUsageException Underivable(VerbArguments arguments, string service) =>
        arguments.Error($"cannot derive the {service} endpoint from --account (not NAME.blob.…): give --{service}-uri URI");
}
