using System.Security.Cryptography;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.Testing;

/// <summary>
/// The app settings one test's function app gets on Azurite: the shared emulator, fresh containers, table and backfill
/// queue, and a mapping key made now. Compiled into Functions.Tests (the app in process) and HostTests (the app on its
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
        };
    }
}
