using CloudAnon.Azure.Ingress;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.HostTests;

/// <summary>The certificate from Key Vault, read by the worker process itself through the real SDK, on the trigger path.</summary>
public sealed class KeyVaultTests
{
    private const string CertificateName = "deid-certificate";

    /// <summary>A vault name in Key Vault's domain (it does not exist): the proxy tunnels it to the fake vault.</summary>
    private const string VaultHostName = "cloudanon-host-tests.vault.azure.net";

    [Fact]
    public async Task CertificateFromKeyVault_EncryptsTheOriginals_WithTheWorkersOwnIdentityAndTrust()
    {
        // The worker's clients have default options: they accept the vault's challenge only for a vault in the
        // vault.azure.net domain, reach it through HTTPS_PROXY, and trust its TLS certificate through SSL_CERT_FILE (as a
        // machine trusts a CA); the token comes from the managed identity endpoint, as in Azure.
        await using var vault = await FakeKeyVaultServer.StartAsync(VaultHostName);
        await using var proxy = new ConnectProxy(VaultHostName, vault.LoopbackEndpoint);
        using var certificate = TestCertificates.CreateRsa("CloudAnon host key vault test");
        vault.AddCertificateVersion(CertificateName, certificate);
        await using var identity = await FakeManagedIdentityEndpoint.StartAsync(vault.AccessToken);
        var trust = Path.Combine(Path.GetTempPath(), $"cloudanon-vault-tls-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(trust, vault.TlsCertificate.ExportCertificatePem());
        var settings = await IngressHost.DefaultSettingsAsync();
        settings.Remove(SettingNames.CertificatePath);
        settings[SettingNames.KeyVaultUri] = vault.VaultUri.ToString();
        settings[SettingNames.CertificateName] = CertificateName;
        settings["SSL_CERT_FILE"] = trust;
        settings["HTTPS_PROXY"] = proxy.Uri.ToString();
        settings["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (name, value) in identity.Settings)
        {
            settings[name] = value;
        }

        try
        {
            await using var app = await IngressHost.StartAsync(settings);
            var blobName = $"site-kv/{Guid.NewGuid():N}.dcm";
            await app.UploadAndNotifyAsync(blobName, (await TestFiles.DistinctInstancesAsync("modality/CT/CT_small_GE.dcm", 1))[0]);
            await app.WaitUntilProcessedAsync([blobName], TimeSpan.FromSeconds(90));

            var egress = Assert.Single(await BlobListing.ListAsync(app.Containers.Egress));
            using var file = await DicomFile.OpenAsync((await app.Containers.Egress.GetBlobClient(egress.Name).DownloadContentAsync()).Value.Content.ToStream());
            Assert.Equal(certificate.SerialNumber, EncryptedAttributesRecipient.SerialNumber(file));
            Assert.True(vault.CountAuthorizedRequests("/certificates/") > 0, "the worker read the certificate from the vault");
            Assert.True(identity.TokensIssued > 0, "the worker signed in through the managed identity endpoint");
            Assert.True(proxy.Tunnels > 0, "the worker reached the vault by its name, through the proxy");
            Assert.Empty(await BlobListing.ListAsync(app.Containers.Quarantine));
            PhiLogSearch.AssertShippedLinesHoldNoMarker(app.Host.Log);
        }
        finally
        {
            File.Delete(trust);
        }
    }
}
