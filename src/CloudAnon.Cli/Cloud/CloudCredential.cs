using Azure.Core;
using Azure.Identity;

namespace CloudAnon.Cli.Cloud;

/// <summary>One Entra ID credential per run, so storage, table and Key Vault share its token cache.</summary>
internal static class CloudCredential
{
    private static readonly Lazy<TokenCredential> Instance = new(() => new DefaultAzureCredential());

    /// <summary>DefaultAzureCredential: environment variables, workload or managed identity, then the Azure CLI's sign-in.</summary>
    public static TokenCredential Shared => Instance.Value;
}
