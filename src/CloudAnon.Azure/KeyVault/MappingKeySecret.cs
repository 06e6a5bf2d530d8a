using Azure.Security.KeyVault.Secrets;
using CloudAnon.Core.Mapping;

namespace CloudAnon.Azure.KeyVault;

/// <summary>
/// Reads the mapping table's HMAC key from a Key Vault secret, for the function app and the CLI alike, and parses it by
/// Core's one <see cref="MappingKey"/> rule. Messages name the secret and the vault, never the secret's value.
/// </summary>
public static class MappingKeySecret
{
    /// <exception cref="MappingKeyUnavailableException">The vault cannot be read, or the secret is not a valid key.</exception>
    public static async Task<byte[]> ReadAsync(SecretClient secrets, string secretName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        var where = $"The mapping key secret '{secretName}' in key vault '{secrets.VaultUri.Host}'";
        string value;
        try
        {
            value = (await secrets.GetSecretAsync(secretName, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.Value;
        }
        catch (Exception exception) when (KeyVaultFailure.IsVaultFailure(exception, cancellationToken))
        {
            throw new MappingKeyUnavailableException($"{where} could not be read: {KeyVaultFailure.DescribeCause(exception)}.", exception);
        }

        return MappingKey.TryParse(value, out var key) ? key : throw new MappingKeyUnavailableException($"{where} must be {MappingKey.Rule}.", null);
    }
}

/// <summary>The mapping key's secret cannot be read or is not a valid key; the message never holds its value.</summary>
public sealed class MappingKeyUnavailableException(string message, Exception? innerException) : Exception(message, innerException);
