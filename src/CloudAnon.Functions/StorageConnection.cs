using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace CloudAnon.Functions;

/// <summary>
/// The "Storage" connection, in the two forms the Functions host itself accepts for a blob trigger's connection: a
/// connection string (<c>Storage=UseDevelopmentStorage=true</c> locally), or identity-based settings
/// (<c>Storage__blobServiceUri</c>, <c>Storage__tableServiceUri</c>, <c>Storage__credential=managedidentity</c>,
/// <c>Storage__clientId</c>) in Azure. The adapters use the same connection as the trigger, so both reach one account.
/// </summary>
public sealed class StorageConnection
{
    private StorageConnection(string? connectionString, Uri? blobServiceUri, Uri? tableServiceUri, Uri? queueServiceUri, string? managedIdentityClientId, bool managedIdentity)
    {
        ConnectionString = connectionString;
        BlobServiceUri = blobServiceUri;
        TableServiceUri = tableServiceUri;
        QueueServiceUri = queueServiceUri;
        ManagedIdentityClientId = managedIdentityClientId;
        UsesManagedIdentity = managedIdentity;
    }

    public string? ConnectionString { get; }

    public Uri? BlobServiceUri { get; }

    public Uri? TableServiceUri { get; }

    /// <summary>The queue endpoint (<c>queueServiceUri</c>), which the backfill trigger and the study-complete queue use.</summary>
    public Uri? QueueServiceUri { get; }

    /// <summary>True when <c>credential</c> is <c>managedidentity</c>; otherwise DefaultAzureCredential is used.</summary>
    public bool UsesManagedIdentity { get; }

    /// <summary>The user-assigned identity's client id (<c>clientId</c>); null for the system-assigned identity.</summary>
    public string? ManagedIdentityClientId { get; }

    /// <summary>Reads the section; returns null with an error naming the missing keys when it is neither form.</summary>
    public static StorageConnection? TryRead(IConfigurationSection section, out string? error)
    {
        ArgumentNullException.ThrowIfNull(section);
        error = null;
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return new StorageConnection(section.Value, null, null, null, null, managedIdentity: false);
        }

        var blob = ServiceUri(section, SettingNames.StorageKeys.BlobServiceUri);
        var table = ServiceUri(section, SettingNames.StorageKeys.TableServiceUri);
        if (blob is null || table is null)
        {
            error = $"{section.Key} must be a connection string, or identity-based with {section.Key}__{SettingNames.StorageKeys.BlobServiceUri} " +
                $"and {section.Key}__{SettingNames.StorageKeys.TableServiceUri} (absolute URIs).";
            return null;
        }

        var managedIdentity = string.Equals(section[SettingNames.StorageKeys.Credential], "managedidentity", StringComparison.OrdinalIgnoreCase);
        var clientId = section[SettingNames.StorageKeys.ClientId] is { Length: > 0 } id ? id : null;
        return new StorageConnection(null, blob, table, ServiceUri(section, SettingNames.StorageKeys.QueueServiceUri), clientId, managedIdentity);
    }

    /// <summary>
    /// The credential for identity-based connections and Key Vault: the configured managed identity (user-assigned when
    /// <see cref="ManagedIdentityClientId"/> is set), else DefaultAzureCredential (developer sign-in, environment, …).
    /// </summary>
    public TokenCredential CreateCredential() => UsesManagedIdentity
        ? new ManagedIdentityCredential(ManagedIdentityClientId is null
            ? ManagedIdentityId.SystemAssigned
            : ManagedIdentityId.FromUserAssignedClientId(ManagedIdentityClientId))
        : new DefaultAzureCredential();

    public BlobServiceClient CreateBlobServiceClient(TokenCredential credential, BlobClientOptions? options = null) =>
        ConnectionString is not null
            ? new BlobServiceClient(ConnectionString, options)
            : new BlobServiceClient(BlobServiceUri!, credential, options);

    public TableServiceClient CreateTableServiceClient(TokenCredential credential, TableClientOptions? options = null) =>
        ConnectionString is not null
            ? new TableServiceClient(ConnectionString, options)
            : new TableServiceClient(TableServiceUri!, credential, options);

    /// <exception cref="InvalidOperationException">Identity-based without <c>queueServiceUri</c>.</exception>
    public QueueClient CreateQueueClient(string queueName, TokenCredential credential, QueueClientOptions? options = null) =>
        ConnectionString is not null
            ? new QueueClient(ConnectionString, queueName, options)
            : new QueueClient(QueueUri(queueName), credential, options);

    /// <summary>The queue under the service endpoint, path-style endpoints (Azurite: http://host:port/account) included.</summary>
    private Uri QueueUri(string queueName)
    {
        var service = QueueServiceUri ?? throw new InvalidOperationException(
            $"{SettingNames.Storage}__{SettingNames.StorageKeys.QueueServiceUri} is not set: the {queueName} queue cannot be reached.");
        return new UriBuilder(service) { Path = service.AbsolutePath.TrimEnd('/') + "/" + queueName }.Uri;
    }

    private static Uri? ServiceUri(IConfigurationSection section, string key) =>
        Uri.TryCreate(section[key], UriKind.Absolute, out var uri) ? uri : null;
}
