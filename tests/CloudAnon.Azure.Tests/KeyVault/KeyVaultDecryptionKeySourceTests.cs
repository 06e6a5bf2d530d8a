using System.Security.Cryptography.X509Certificates;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.KeyVault;

/// <summary>The real Azure SDK CertificateClient downloading the certificate with its key from <see cref="FakeKeyVaultServer"/>.</summary>
public sealed class KeyVaultDecryptionKeySourceTests : FakeVaultTests
{
    private static readonly byte[] Plaintext = "original attributes"u8.ToArray();

    [Fact]
    public async Task Downloads_a_private_key_that_decrypts_data_enveloped_to_the_public_certificate()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        var encryptionSource = new KeyVaultCertificateSource(
            Vault.CreateCertificateClient(),
            new KeyVaultCertificateOptions { VaultUri = Vault.VaultUri, CertificateName = CertificateName });
        byte[] envelope = Cms.EncryptTo(await encryptionSource.GetEncryptionCertificateAsync(), Plaintext);

        X509Certificate2 decryption = await new KeyVaultDecryptionKeySource(Vault.CreateCertificateClient(), CertificateName)
            .GetDecryptionCertificateAsync();

        Assert.True(decryption.HasPrivateKey);
        Assert.Equal(Plaintext, Cms.Decrypt(envelope, decryption));
        Assert.Equal(1, Vault.CountAuthorizedRequests("/secrets/"));
    }

    [Fact]
    public async Task A_pinned_version_still_decrypts_data_enveloped_before_a_rotation()
    {
        string firstVersionId = Vault.AddCertificateVersion(CertificateName, FirstVersion);
        byte[] envelope = Cms.EncryptTo(FirstVersion, Plaintext);
        using X509Certificate2 secondVersion = TestCertificates.CreateRsa("CloudAnon recipient v2");
        Vault.AddCertificateVersion(CertificateName, secondVersion);

        X509Certificate2 pinned = await new KeyVaultDecryptionKeySource(Vault.CreateCertificateClient(), CertificateName, firstVersionId)
            .GetDecryptionCertificateAsync();

        Assert.Equal(FirstVersion.RawData, pinned.RawData);
        Assert.Equal(Plaintext, Cms.Decrypt(envelope, pinned));
    }

    [Fact]
    public async Task Downloads_once_and_shares_the_certificate()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        var source = new KeyVaultDecryptionKeySource(Vault.CreateCertificateClient(), CertificateName);

        X509Certificate2 first = await source.GetDecryptionCertificateAsync();
        X509Certificate2 second = await source.GetDecryptionCertificateAsync();

        Assert.Same(first, second);
        Assert.Equal(1, Vault.CountAuthorizedRequests("/secrets/"));
    }

    [Fact]
    public async Task UnreachableVault_throws_namingVault_and_certificate()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        await Vault.StopAsync();
        var source = new KeyVaultDecryptionKeySource(Vault.CreateCertificateClient(), CertificateName);

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(async () => await source.GetDecryptionCertificateAsync());

        Assert.Equal(
            $"Certificate '{CertificateName}' in key vault '127.0.0.1' is unavailable: the vault could not be reached (ConnectionError).",
            failure.Message);
    }
}
