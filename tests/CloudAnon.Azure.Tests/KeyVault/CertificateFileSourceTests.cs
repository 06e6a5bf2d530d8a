using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudAnon.Core;
using CloudAnon.Core.Certificates;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.KeyVault;

/// <summary>
/// <see cref="PemCertificateSource"/> and <see cref="PemDecryptionKeySource"/> on files written to a temporary folder,
/// from a certificate and key generated at run time.
/// </summary>
public sealed class CertificateFileSourceTests : IDisposable
{
    private const string Password = "test-password";
    private static readonly byte[] Plaintext = "original attributes"u8.ToArray();

    private readonly string _folder = Directory.CreateTempSubdirectory("cloudanon-certs-").FullName;
    private readonly X509Certificate2 _certificate = TestCertificates.CreateRsa("CloudAnon file recipient");

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("der")]
    [InlineData("pfx")]
    public async Task Encryption_source_returns_the_public_certificate_only(string format)
    {
        string path = format switch
        {
            "pem" => Write("recipient.pem", _certificate.ExportCertificatePem()),
            "der" => Write("recipient.cer", _certificate.RawData),
            _ => Write("recipient.pfx", _certificate.Export(X509ContentType.Pkcs12, Password)),
        };

        X509Certificate2 loaded = await new PemCertificateSource(path, Password).GetEncryptionCertificateAsync();

        Assert.Equal(_certificate.RawData, loaded.RawData);
        Assert.False(loaded.HasPrivateKey);
    }

    [Theory]
    [InlineData("pkcs1")]
    [InlineData("pkcs8")]
    public async Task Certificate_and_pem_key_decrypt_data_enveloped_to_the_certificate(string keyFormat)
    {
        using RSA key = _certificate.GetRSAPrivateKey()!;
        string keyPath = Write("key.pem", keyFormat == "pkcs1" ? key.ExportRSAPrivateKeyPem() : key.ExportPkcs8PrivateKeyPem());
        // The PEM label says which form was written (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY").
        string keyText = File.ReadAllText(keyPath);
        Assert.Equal(keyFormat == "pkcs1" ? "RSA PRIVATE KEY" : "PRIVATE KEY", keyText[PemEncoding.Find(keyText).Label]);
        string certificatePath = Write("recipient.pem", _certificate.ExportCertificatePem());
        byte[] envelope = Cms.EncryptTo(await new PemCertificateSource(certificatePath).GetEncryptionCertificateAsync(), Plaintext);

        X509Certificate2 decryption = await PemDecryptionKeySource.FromPemFiles(certificatePath, keyPath).GetDecryptionCertificateAsync();

        Assert.Equal(Plaintext, Cms.Decrypt(envelope, decryption));
    }

    [Fact]
    public async Task Encrypted_pkcs8_key_needs_its_password()
    {
        using RSA key = _certificate.GetRSAPrivateKey()!;
        string keyPath = Write("key.pem", key.ExportEncryptedPkcs8PrivateKeyPem(
            Password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
        string certificatePath = Write("recipient.pem", _certificate.ExportCertificatePem());

        X509Certificate2 decryption = await PemDecryptionKeySource.FromPemFiles(certificatePath, keyPath, Password)
            .GetDecryptionCertificateAsync();
        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await PemDecryptionKeySource.FromPemFiles(certificatePath, keyPath).GetDecryptionCertificateAsync());

        Assert.Equal(Plaintext, Cms.Decrypt(Cms.EncryptTo(_certificate, Plaintext), decryption));
        Assert.Contains($"Private key file '{keyPath}'", failure.Message);
    }

    [Fact]
    public async Task Pfx_with_password_decrypts_data_enveloped_to_the_certificate()
    {
        string pfxPath = Write("recipient.pfx", _certificate.Export(X509ContentType.Pkcs12, Password));

        X509Certificate2 decryption = await PemDecryptionKeySource.FromPfxFile(pfxPath, Password).GetDecryptionCertificateAsync();

        Assert.Equal(Plaintext, Cms.Decrypt(Cms.EncryptTo(_certificate, Plaintext), decryption));
    }

    [Fact]
    public async Task Key_of_another_certificate_is_refused()
    {
        using X509Certificate2 other = TestCertificates.CreateRsa("someone else");
        using RSA otherKey = other.GetRSAPrivateKey()!;
        string keyPath = Write("other-key.pem", otherKey.ExportRSAPrivateKeyPem());
        string certificatePath = Write("recipient.pem", _certificate.ExportCertificatePem());

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await PemDecryptionKeySource.FromPemFiles(certificatePath, keyPath).GetDecryptionCertificateAsync());

        Assert.Equal($"Private key file '{keyPath}' does not match the certificate in '{certificatePath}'.", failure.Message);
    }

    [Fact]
    public async Task Missing_file_is_reported_with_its_path()
    {
        string path = Path.Combine(_folder, "absent.pem");

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await new PemCertificateSource(path).GetEncryptionCertificateAsync());

        Assert.Equal($"File '{path}' does not exist.", failure.Message);
    }

    [Fact]
    public async Task Garbled_certificate_file_is_reported_with_its_path()
    {
        string path = Write("garbled.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await new PemCertificateSource(path).GetEncryptionCertificateAsync());

        Assert.StartsWith($"Certificate file '{path}' is not a PEM, DER or PFX certificate", failure.Message);
    }

    [Fact]
    public async Task Non_rsa_certificate_is_refused()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 ecCertificate = new CertificateRequest("CN=ec", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string path = Write("ec.pem", ecCertificate.ExportCertificatePem());

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await new PemCertificateSource(path).GetEncryptionCertificateAsync());

        Assert.Equal($"Certificate file '{path}' does not hold an RSA certificate.", failure.Message);
    }

    private string Write(string name, string text) => Write(name, System.Text.Encoding.ASCII.GetBytes(text));

    private string Write(string name, byte[] contents)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, contents);
        return path;
    }
}
