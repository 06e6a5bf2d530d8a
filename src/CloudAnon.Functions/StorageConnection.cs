using Azure.Core;
using Azure.Identity;
using CloudAnon.Azure.Storage;
using Microsoft.Extensions.Configuration;

namespace CloudAnon.Functions;

/// <summary>
/// The "Storage" connection, in the two forms the Functions host itself accepts for a blob trigger's connection: a
/// connection string (<c>Storage=UseDevelopmentStorage=true</c> locally), or identity-based settings
/// (<c>Storage__blobServiceUri</c>, <c>Storage__tableServiceUri</c>, <c>Storage__credential=managedidentity</c>,
/// <c>Storage__clientId</c>) in Azure. The adapters use the same connection as the trigger, so both reach one account.
/// It wires the settings to <see cref="StorageAccount"/> and chooses the credential.
/// </summary>
public sealed class StorageConnection
{
    private StorageConnection(StorageAccount account, string? managedIdentityClientId, bool managedIdentity)
    {
        Account = account;
        ManagedIdentityClientId = managedIdentityClientId;
        UsesManagedIdentity = managedIdentity;
    }

    /// <summary>The account the settings name, found by <see cref="StorageAccount"/>.</summary>
    public StorageAccount Account { get; }

    public string? ConnectionString => Account.ConnectionString;

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
            return new StorageConnection(StorageAccount.FromConnectionString(section.Value), null, managedIdentity: false);
        }

        // Both endpoints are named, as the Functions host's own identity-based connections name each service they use.
        if (!StorageAccount.TryParseEndpoint(section[SettingNames.StorageKeys.BlobServiceUri], out var blob) ||
            !StorageAccount.TryParseEndpoint(section[SettingNames.StorageKeys.TableServiceUri], out var table))
        {
            error = $"{section.Key} must be a connection string, or identity-based with {section.Key}__{SettingNames.StorageKeys.BlobServiceUri} " +
                $"and {section.Key}__{SettingNames.StorageKeys.TableServiceUri} (absolute URIs).";
            return null;
        }

        var managedIdentity = string.Equals(section[SettingNames.StorageKeys.Credential], "managedidentity", StringComparison.OrdinalIgnoreCase);
        var clientId = section[SettingNames.StorageKeys.ClientId] is { Length: > 0 } id ? id : null;
        return new StorageConnection(StorageAccount.FromEndpoints(blob, table), clientId, managedIdentity);
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
}
