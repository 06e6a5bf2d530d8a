using System.Security.Cryptography.X509Certificates;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.KeyVault;

public sealed class KeyVaultDecryptionKeySourceTests : IAsyncLifetime
{
    private const string CertificateName = "deid-recipient";
    private static readonly byte[] Plaintext = "original attributes"u8.ToArray();

    private readonly X509Certificate2 _firstVersion = TestCertificates.CreateRsa("CloudAnon recipient v1");
    private FakeKeyVaultServer _vault = null!;

    public async Task InitializeAsync() => _vault = await FakeKeyVaultServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        _firstVersion.Dispose();
    }

    [Fact]
    public async Task Downloads_a_private_key_that_decrypts_data_enveloped_to_the_public_certificate()
    {
        _vault.AddCertificateVersion(CertificateName, _firstVersion);
        var encryptionSource = new KeyVaultCertificateSource(
            _vault.CreateCertificateClient(),
            new KeyVaultCertificateOptions { VaultUri = _vault.VaultUri, CertificateName = CertificateName });
        byte[] envelope = Cms.EncryptTo(await encryptionSource.GetEncryptionCertificateAsync(), Plaintext);

        X509Certificate2 decryption = await new KeyVaultDecryptionKeySource(_vault.CreateCertificateClient(), CertificateName)
            .GetDecryptionCertificateAsync();

        Assert.True(decryption.HasPrivateKey);
        Assert.Equal(Plaintext, Cms.Decrypt(envelope, decryption));
        Assert.Equal(1, _vault.CountAuthorizedRequests("/secrets/"));
    }

    [Fact]
    public async Task A_pinned_version_still_decrypts_data_enveloped_before_a_rotation()
    {
        string firstVersionId = _vault.AddCertificateVersion(CertificateName, _firstVersion);
        byte[] envelope = Cms.EncryptTo(_firstVersion, Plaintext);
        using X509Certificate2 secondVersion = TestCertificates.CreateRsa("CloudAnon recipient v2");
        _vault.AddCertificateVersion(CertificateName, secondVersion);

        X509Certificate2 pinned = await new KeyVaultDecryptionKeySource(_vault.CreateCertificateClient(), CertificateName, firstVersionId)
            .GetDecryptionCertificateAsync();

        Assert.Equal(_firstVersion.RawData, pinned.RawData);
        Assert.Equal(Plaintext, Cms.Decrypt(envelope, pinned));
    }

    [Fact]
    public async Task Downloads_once_and_shares_the_certificate()
    {
        _vault.AddCertificateVersion(CertificateName, _firstVersion);
        var source = new KeyVaultDecryptionKeySource(_vault.CreateCertificateClient(), CertificateName);

        X509Certificate2 first = await source.GetDecryptionCertificateAsync();
        X509Certificate2 second = await source.GetDecryptionCertificateAsync();

        Assert.Same(first, second);
        Assert.Equal(1, _vault.CountAuthorizedRequests("/secrets/"));
    }

    [Fact]
    public async Task Unreachable_vault_throws_naming_vault_and_certificate()
    {
        _vault.AddCertificateVersion(CertificateName, _firstVersion);
        await _vault.StopAsync();
        var source = new KeyVaultDecryptionKeySource(_vault.CreateCertificateClient(), CertificateName);

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(async () => await source.GetDecryptionCertificateAsync());

        Assert.Equal(
            $"Certificate '{CertificateName}' in key vault '127.0.0.1' is unavailable: the vault could not be reached.",
            failure.Message);
    }
}
