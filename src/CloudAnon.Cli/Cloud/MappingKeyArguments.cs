using Azure.Security.KeyVault.Secrets;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core.Mapping;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// The mapping table's HMAC key for <c>process</c> and <c>backfill</c>: from a Key Vault secret, a file, or an environment
/// variable — never a command-line value, which every user of the machine can read in <c>ps</c>. Parsed by Core's one
/// <see cref="MappingKey"/> rule; every writer of one table must use the same key, so it is never generated here.
/// </summary>
internal static class MappingKeyArguments
{
    /// <summary>The name azd's preprovision hook gives the key (infra/hooks/ensure-mapping-key.sh).</summary>
    public const string EnvironmentVariable = "CLOUDANON_MAPPING_KEY";

    public static readonly string[] ValueOptions = ["--mapping-key-secret", "--key-vault", "--mapping-key-file", "--mapping-key"];

    public static readonly string Usage = $"""
          Mapping key (the table's secret HMAC key, {MappingKey.MinBytes}+ bytes as base64; one of):
            --mapping-key-secret NAME --key-vault URI   A Key Vault secret (Entra ID), as the function reads it.
            --mapping-key-file FILE                     A file holding the base64 key.
            (neither)                                   The {EnvironmentVariable} environment variable.
        """;

    /// <exception cref="CliUsageException">No source, two sources, a refused command-line key, or a malformed key.</exception>
    /// <exception cref="CloudSetupException">The file or the vault cannot be read.</exception>
    public static async Task<byte[]> ReadAsync(VerbArguments arguments, CancellationToken cancellationToken)
    {
        if (arguments.Value("--mapping-key") is not null)
        {
            throw arguments.Error($"--mapping-key would show the key in `ps`: use --mapping-key-file FILE, --mapping-key-secret NAME --key-vault URI, or {EnvironmentVariable}");
        }

        var secret = arguments.Value("--mapping-key-secret");
        var file = arguments.Value("--mapping-key-file");
        var vault = arguments.Value("--key-vault");
        if (secret is not null && file is not null) throw arguments.Error("give --mapping-key-secret or --mapping-key-file, not both");
        if (secret is not null && vault is null) throw arguments.Error("--mapping-key-secret NAME needs --key-vault URI");

        if (secret is not null) return await ReadSecretAsync(KeyVaultUri(arguments, vault!), secret, cancellationToken);

        var (text, source) = file is not null ? (SecretFile.Read(file, "--mapping-key-file"), "--mapping-key-file")
            : (Environment.GetEnvironmentVariable(EnvironmentVariable)
                ?? throw arguments.Error($"the mapping key is required: --mapping-key-secret NAME --key-vault URI, --mapping-key-file FILE, or {EnvironmentVariable}"),
               EnvironmentVariable);
        return MappingKey.TryParse(text, out var key) ? key : throw arguments.Error($"the mapping key in {source} must be {MappingKey.Rule}");
    }

    public static Uri KeyVaultUri(VerbArguments arguments, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw arguments.Error("--key-vault must be an https:// vault URI");

    private static async Task<byte[]> ReadSecretAsync(Uri vault, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await MappingKeySecret.ReadAsync(new SecretClient(vault, CloudCredential.Shared), name, cancellationToken);
        }
        catch (MappingKeyUnavailableException e)
        {
            throw new CloudSetupException(e.Message);
        }
    }
}
