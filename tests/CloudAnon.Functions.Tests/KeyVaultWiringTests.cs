using System.Security.Cryptography;
using CloudAnon.Azure.Ingress;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core;
using CloudAnon.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CloudAnon.Functions.Tests;

/// <summary>
/// The certificate and the mapping key from Key Vault as the app wires them (KeyVaultUri + CertificateName,
/// MappingKeySecretName), through the real SDK against the fake HTTPS vault. The source's own caching rules are tested in CloudAnon.Azure.Tests; these check the app's use of them.
/// </summary>
public sealed class KeyVaultWiringTests
{
    private const string CertificateName = "deid";
    private const string MappingKeySecretName = "mapping-key";

    [Fact]
    public async Task KeyVaultCertificate_IsFetchedOnce_ThenTheRotatedVersionAfterTheRefreshInterval()
    {
        await using var vault = await FakeKeyVaultServer.StartAsync();
        using var first = TestCertificates.CreateRsa("CloudAnon deid v1");
        using var second = TestCertificates.CreateRsa("CloudAnon deid v2");
        vault.AddCertificateVersion(CertificateName, first);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAsync(vault, time);
        Assert.IsType<KeyVaultCertificateSource>(app.Services.GetRequiredService<ICertificateSource>());

        Assert.Equal(first.SerialNumber, await DeidentifyAsync(app, "modality/CT/CT_small_GE.dcm"));
        var fetches = vault.CountAuthorizedRequests("/certificates/");
        Assert.Equal(first.SerialNumber, await DeidentifyAsync(app, "modality/SEG/label_map_seg_sparse_ppv5.dcm"));
        Assert.Equal(fetches, vault.CountAuthorizedRequests("/certificates/"));

        vault.AddCertificateVersion(CertificateName, second);
        time.Advance(new KeyVaultCertificateOptions().RefreshInterval + TimeSpan.FromSeconds(1));
        Assert.Equal(second.SerialNumber, await DeidentifyAsync(app, "modality/DX/dx_image.dcm"));
        Assert.Equal(fetches + 1, vault.CountAuthorizedRequests("/certificates/"));

        // The function reads the certificate object only, never its secret (the private key).
        Assert.Equal(0, vault.CountAuthorizedRequests("/secrets/"));
    }

    [Fact]
    public async Task UnreachableVault_QuarantinesTheBlobAfterTheRetries_WithAClearError_AndNothingInEgress()
    {
        await using var vault = await FakeKeyVaultServer.StartAsync();
        await vault.StopAsync();
        await using var app = await StartAsync(vault, TimeProvider.System);
        const string blobName = "unreachable-vault.dcm";
        await app.UploadAsync(blobName, "modality/CT/CT_small_GE.dcm");

        for (var delivery = 1; delivery < RetryBudget.MaxDeliveries; delivery++)
        {
            var failure = await Assert.ThrowsAsync<DeidentificationException>(() => app.InvokeAsync(blobName));
            Assert.Equal(DeidentificationFailure.CertificateUnavailable, failure.Failure);
        }

        await app.InvokeAsync(blobName);

        Assert.Empty(await BlobListing.ListAsync(app.Containers.Egress));
        var quarantined = Assert.Single(await BlobListing.ListAsync(app.Containers.Quarantine));
        Assert.Equal(QuarantineReasons.RetriesExhausted, quarantined.Metadata[IngressMetadata.Reason]);
        var lastLog = app.Log.Entries[^1].Message;
        Assert.Contains($"Certificate '{CertificateName}' in key vault '127.0.0.1' is unavailable: the vault could not be reached", lastLog);
        Assert.Contains(nameof(DeidentificationFailure.CertificateUnavailable), lastLog);
    }

    [Fact]
    public async Task MappingKey_IsReadOnceFromItsSecret_AndKeysTheTable_SoTheSameKeyGivenDirectlyFindsTheSameReplacements()
    {
        await using var vault = await FakeKeyVaultServer.StartAsync();
        using var certificate = TestCertificates.CreateRsa("CloudAnon deid");
        vault.AddCertificateVersion(CertificateName, certificate);
        string mappingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        vault.SetSecret(MappingKeySecretName, mappingKey);
        var settings = await FunctionApp.DefaultSettingsAsync();
        string table = settings[SettingNames.MappingTable]!;

        await using var fromVault = await StartAsync(vault, TimeProvider.System, settings, mappingKeyInVault: true);
        string named = await DeidentifyToNameAsync(fromVault, "modality/CT/CT_small_GE.dcm");
        await DeidentifyToNameAsync(fromVault, "modality/DX/dx_image.dcm");
        Assert.Equal(1, vault.CountAuthorizedRequests($"/secrets/{MappingKeySecretName}"));
        Assert.Equal(0, vault.CountAuthorizedRequests($"/secrets/{CertificateName}"));

        // Egress names come from the replacement UIDs, which the table holds under keys hashed with the mapping key.
        await using var sameKey = await StartWithMappingKeyAsync(vault, table, mappingKey);
        Assert.Equal(named, await DeidentifyToNameAsync(sameKey, "modality/CT/CT_small_GE.dcm"));
        await using var otherKey = await StartWithMappingKeyAsync(vault, table, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.NotEqual(named, await DeidentifyToNameAsync(otherKey, "modality/CT/CT_small_GE.dcm"));
    }

    [Theory]
    [InlineData(null, "could not be read: the vault answered status 404 (SecretNotFound)")]
    [InlineData("c2hvcnQ=", "must be base64 of at least 32 bytes")]
    [InlineData("PLANTED-SECRET-not-base64", "must be base64 of at least 32 bytes")]
    public async Task MappingKey_MissingOrMalformedInTheVault_StopsTheAppWithAMessageThatNamesTheSecretButNotItsValue(string? secretValue, string expected)
    {
        await using var vault = await FakeKeyVaultServer.StartAsync();
        using var certificate = TestCertificates.CreateRsa("CloudAnon deid");
        vault.AddCertificateVersion(CertificateName, certificate);
        if (secretValue is not null) vault.SetSecret(MappingKeySecretName, secretValue);
        await using var app = await StartAsync(vault, TimeProvider.System, await FunctionApp.DefaultSettingsAsync(), mappingKeyInVault: true);

        var error = Assert.Throws<MappingKeyUnavailableException>(() => app.Services.GetRequiredService<IngressProcessor>());

        Assert.Contains($"The mapping key secret '{MappingKeySecretName}' in key vault '127.0.0.1' {expected}", error.Message);
        if (secretValue is not null) Assert.DoesNotContain(secretValue, error.ToString());
    }

    private static async Task<FunctionApp> StartAsync(FakeKeyVaultServer vault, TimeProvider time) =>
        await StartAsync(vault, time, await FunctionApp.DefaultSettingsAsync(), mappingKeyInVault: false);

    private static async Task<FunctionApp> StartAsync(FakeKeyVaultServer vault, TimeProvider time, Dictionary<string, string?> settings, bool mappingKeyInVault)
    {
        settings[SettingNames.KeyVaultUri] = vault.VaultUri.ToString();
        settings[SettingNames.CertificateName] = CertificateName;
        if (mappingKeyInVault)
        {
            settings.Remove(SettingNames.MappingKey);
            settings[SettingNames.MappingKeySecretName] = MappingKeySecretName;
        }
        // The real Key Vault clients, made to trust the fake vault's TLS certificate; AddCloudAnon builds on them.
        return await FunctionApp.StartAsync(settings, services => services
            .AddSingleton(vault.CreateCertificateClient())
            .AddSingleton(vault.CreateSecretClient())
            .AddSingleton(time));
    }

    /// <summary>An app with its own containers on <paramref name="table"/>, given the mapping key directly.</summary>
    private static async Task<FunctionApp> StartWithMappingKeyAsync(FakeKeyVaultServer vault, string table, string mappingKey)
    {
        var settings = await FunctionApp.DefaultSettingsAsync();
        settings[SettingNames.MappingTable] = table;
        settings[SettingNames.MappingKey] = mappingKey;
        return await StartAsync(vault, TimeProvider.System, settings, mappingKeyInVault: false);
    }

    /// <summary>Runs one file through the function; returns the name it was given in egress.</summary>
    private static async Task<string> DeidentifyToNameAsync(FunctionApp app, string corpusFile)
    {
        var before = (await BlobListing.ListAsync(app.Containers.Egress)).Select(b => b.Name).ToHashSet();
        var blobName = Guid.NewGuid().ToString("N");
        await app.UploadAsync(blobName, corpusFile);
        await app.InvokeAsync(blobName);
        return Assert.Single(await BlobListing.ListAsync(app.Containers.Egress), b => !before.Contains(b.Name)).Name;
    }

    /// <summary>Runs one file through the function; returns the serial number of the certificate its originals were encrypted to.</summary>
    private static async Task<string> DeidentifyAsync(FunctionApp app, string corpusFile)
    {
        using var file = await FunctionApp.OpenAsync(app.Containers.Egress, await DeidentifyToNameAsync(app, corpusFile));
        return EncryptedAttributesRecipient.SerialNumber(file);
    }
}
