using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CloudAnon.Azure.Storage;

/// <summary>
/// The storage account the pipeline works on, found in one of two forms: a connection string (Azurite, or an account that
/// allows shared keys), or service endpoints reached with an Entra ID credential (the deployed account refuses shared keys).
/// The one resolver for the function's settings and the CLI's arguments; they choose the credential and word the errors
/// with their own setting or argument names.
/// </summary>
public sealed class StorageAccount
{
    private StorageAccount(string? connectionString, Uri? blobServiceUri, Uri? tableServiceUri, Uri? queueServiceUri)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobServiceUri;
        TableServiceUri = tableServiceUri;
        QueueServiceUri = queueServiceUri;
    }

    /// <summary>The connection string; null for an endpoint-based account.</summary>
    public string? ConnectionString { get; }

    /// <summary>The blob endpoint of an endpoint-based account; null for a connection string.</summary>
    public Uri? BlobServiceUri { get; }

    /// <summary>The table endpoint of an endpoint-based account: given, or derived from the blob endpoint; null when neither.</summary>
    public Uri? TableServiceUri { get; }

    /// <summary>The queue endpoint of an endpoint-based account: given, or derived from the blob endpoint; null when neither.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>An account by connection string; the clients check its form when created.</summary>
    public static StorageAccount FromConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        return new StorageAccount(connectionString, null, null, null);
    }

    /// <summary>
    /// An account by endpoint; a table or queue endpoint not given is derived from the blob endpoint
    /// (https://NAME.blob.core.windows.net → https://NAME.table.core.windows.net, any cloud's suffix) where its host has that shape.
    /// </summary>
    public static StorageAccount FromEndpoints(Uri blobServiceUri, Uri? tableServiceUri = null, Uri? queueServiceUri = null)
    {
        ArgumentNullException.ThrowIfNull(blobServiceUri);
        return new StorageAccount(null, blobServiceUri,
            tableServiceUri ?? Sibling(blobServiceUri, "table"), queueServiceUri ?? Sibling(blobServiceUri, "queue"));
    }

    /// <summary>True when <paramref name="text"/> is an absolute http:// or https:// URI, the only endpoints the SDK accepts.</summary>
    public static bool TryParseEndpoint(string? text, out Uri endpoint)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
        {
            endpoint = uri;
            return true;
        }

        endpoint = null!;
        return false;
    }

    /// <param name="credential">Signs endpoint-based requests; unused for a connection string, whose shared key signs them.</param>
    public BlobServiceClient CreateBlobServiceClient(TokenCredential? credential, BlobClientOptions? options = null) =>
        ConnectionString is not null
            ? new BlobServiceClient(ConnectionString, options)
            : new BlobServiceClient(BlobServiceUri!, Required(credential), options);

    /// <exception cref="InvalidOperationException">No table endpoint was given or derivable.</exception>
    public TableServiceClient CreateTableServiceClient(TokenCredential? credential, TableClientOptions? options = null) =>
        ConnectionString is not null
            ? new TableServiceClient(ConnectionString, options)
            : new TableServiceClient(Endpoint(TableServiceUri, "table"), Required(credential), options);

    /// <exception cref="InvalidOperationException">No queue endpoint was given or derivable.</exception>
    public QueueServiceClient CreateQueueServiceClient(TokenCredential? credential, QueueClientOptions? options = null) =>
        ConnectionString is not null
            ? new QueueServiceClient(ConnectionString, options)
            : new QueueServiceClient(Endpoint(QueueServiceUri, "queue"), Required(credential), options);

    private static Uri? Sibling(Uri blobServiceUri, string service)
    {
        var labels = blobServiceUri.Host.Split('.');
        if (labels.Length < 3 || labels[1] != "blob")
        {
            return null;
        }

        labels[1] = service;
        return new UriBuilder(blobServiceUri) { Host = string.Join('.', labels), Path = "/" }.Uri;
    }

    private static TokenCredential Required(TokenCredential? credential) =>
        credential ?? throw new ArgumentNullException(nameof(credential), "An endpoint-based storage account needs a credential.");

    private static Uri Endpoint(Uri? endpoint, string service) =>
        endpoint ?? throw new InvalidOperationException($"The {service} endpoint was neither given nor derivable from the blob endpoint.");
}
