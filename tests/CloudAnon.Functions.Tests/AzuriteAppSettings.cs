using System.Security.Cryptography;
using Azure.Storage.Queues;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.Testing;

/// <summary>
/// The app settings one test's function app gets on Azurite: the shared emulator, fresh containers, tables and queues,
/// and a mapping key made now. Compiled into Functions.Tests (the app in process) and HostTests (the app on its
/// trigger path), which layer their other settings over it.
/// </summary>
internal static class AzuriteAppSettings
{
    public static async Task<Dictionary<string, string?>> FreshAsync()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        return new Dictionary<string, string?>
        {
            [SettingNames.Storage] = azurite.ConnectionString,
            [SettingNames.IngressContainer] = AzuriteInstance.NewContainerName("ingress"),
            [SettingNames.EgressContainer] = AzuriteInstance.NewContainerName("egress"),
            [SettingNames.QuarantineContainer] = AzuriteInstance.NewContainerName("quarantine"),
            [SettingNames.MappingTable] = AzuriteInstance.NewTableName("mappings"),
            [SettingNames.BackfillQueue] = AzuriteInstance.NewContainerName("backfill"),
            [SettingNames.MappingKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            [SettingNames.AuditTable] = AzuriteInstance.NewTableName("audit"),
            [SettingNames.AuditContainer] = AzuriteInstance.NewContainerName("audit"),
            [SettingNames.StudyCompleteQueue] = AzuriteInstance.NewContainerName("study-complete"),
            [SettingNames.StudyScanSchedule] = EmitQuietStudies.DefaultSchedule,
        };
    }

    /// <summary>Creates the audit table, its container and the study-complete queue of <paramref name="settings"/>, as infra does.</summary>
    public static async Task CreateAuditStoresAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        await azurite.CreateTableServiceClient().CreateTableIfNotExistsAsync(settings[SettingNames.AuditTable]!);
        await azurite.CreateBlobServiceClient().GetBlobContainerClient(settings[SettingNames.AuditContainer]).CreateIfNotExistsAsync();
        await StudyCompleteQueue(settings).CreateIfNotExistsAsync();
    }

    /// <summary>The study-complete queue of <paramref name="settings"/>, with the base64 messages the app sends.</summary>
    public static QueueClient StudyCompleteQueue(IReadOnlyDictionary<string, string?> settings) =>
        new(settings[SettingNames.Storage], settings[SettingNames.StudyCompleteQueue], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
}
