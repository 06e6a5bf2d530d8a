using System.Security.Cryptography;
using CloudAnon.Azure.KeyVault;

namespace CloudAnon.Azure.Tests.KeyVault;

/// <summary>The one reader of the mapping key's secret (the function app's and the CLI's), through the real SecretClient.</summary>
public sealed class MappingKeySecretTests : FakeVaultTests
{
    private const string SecretName = "mapping-key";

    [Fact]
    public async Task Reads_and_decodes_the_key()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        Vault.SetSecret(SecretName, Convert.ToBase64String(key) + "\n");

        Assert.Equal(key, await MappingKeySecret.ReadAsync(Vault.CreateSecretClient(), SecretName));
    }

    [Theory]
    [InlineData(null, false, "could not be read: the vault answered status 404 (SecretNotFound).")]
    [InlineData("PLANTED-SECRET-too-short", false, "must be base64 of at least 32 bytes")]
    [InlineData("PLANTED-SECRET-unread", true, "could not be read: the vault's answer is not Key Vault's JSON")]
    public async Task A_missing_malformed_or_garbled_secret_fails_naming_the_secret_and_not_its_value(string? value, bool notJson, string expected)
    {
        if (value is not null) Vault.SetSecret(SecretName, value);
        Vault.AnswersNotJson = notJson;

        var failure = await Assert.ThrowsAsync<MappingKeyUnavailableException>(() => MappingKeySecret.ReadAsync(Vault.CreateSecretClient(), SecretName));

        Assert.StartsWith($"The mapping key secret '{SecretName}' in key vault '127.0.0.1' {expected}", failure.Message);
        Assert.DoesNotContain("PLANTED", failure.ToString());
    }
}
