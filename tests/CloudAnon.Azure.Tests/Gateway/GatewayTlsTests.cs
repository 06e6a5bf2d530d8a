using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Network;
using CloudAnon.Network.Stow;
using CloudAnon.TestData;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>
/// DICOM TLS with the server certificate from Key Vault (the fake vault, driven by the real CertificateClient, with the
/// download <c>cloudanon gateway --tls-certificate https://…/certificates/NAME</c> uses), judged by dcmtk's storescu +tls.
/// </summary>
public sealed class GatewayTlsTests
{
    private static readonly CorpusFile Sample = Corpus.Get("ts/explicit_le/MR_small.dcm");

    [Fact]
    public async Task StoreScuOverTls_WithTheServerCertificateFromKeyVault_Lands()
    {
        using var issued = TestCertificates.CreateLoopbackTlsCertificate();
        await using var vault = await FakeKeyVaultServer.StartAsync();
        vault.AddCertificateVersion("gateway-tls", issued);
        var downloaded = await new KeyVaultDecryptionKeySource(vault.CreateCertificateClient(), "gateway-tls").GetDecryptionCertificateAsync();
        Assert.True(vault.CountAuthorizedRequests("/secrets/") > 0); // the private key came from the certificate's secret
        await using var gateway = await GatewayHarness.StartAsync(new DicomServerOptions { TlsCertificate = downloaded });
        var trusted = await WritePemAsync(issued);
        try
        {
            // Anonymous client (+tla), trusting exactly the certificate put in the vault.
            var result = ExternalTool.Run("storescu", ["+tla", "+cf", trusted, "-xe", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, Sample.FullPath]);

            Assert.True(result.ExitCode == 0, result.StandardError);
            var identity = (await GatewayHarness.IdentityAsync(Sample.FullPath))!.Value;
            Assert.True(await gateway.Ingress.GetBlobClient(gateway.BlobName(identity.SopInstance)).ExistsAsync());
        }
        finally
        {
            File.Delete(trusted);
        }
    }

    [Fact]
    public async Task RequiredClientCertificate_RefusesAnAnonymousSender_AndStoresNothing()
    {
        using var certificate = TestCertificates.CreateLoopbackTlsCertificate();
        await using var gateway = await GatewayHarness.StartAsync(new DicomServerOptions { TlsCertificate = certificate, RequireClientCertificate = true });
        var trusted = await WritePemAsync(certificate);
        try
        {
            var result = ExternalTool.Run("storescu", ["+tla", "+cf", trusted, "-xe", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, Sample.FullPath]);

            Assert.NotEqual(0, result.ExitCode);
            await foreach (var _ in gateway.Ingress.GetBlobsAsync()) Assert.Fail("an instance landed without a client certificate");
            Assert.Contains(gateway.Log.Entries, entry => entry.Message.Contains("TLS handshake failed", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(trusted);
        }
    }

    [Fact]
    public async Task ClientCa_AdmitsOnlyCertificatesItIssued_OverDicomTlsAndHttps()
    {
        using var server = TestCertificates.CreateLoopbackTlsCertificate();
        using var siteCa = CreateCertificateAuthority("CloudAnon test site CA");
        using var otherCa = CreateCertificateAuthority("CloudAnon test other CA");
        using var modality = IssueClientCertificate(siteCa, "CloudAnon test modality");
        using var stranger = IssueClientCertificate(otherCa, "CloudAnon test stranger");
        // Keys generated now, written to a temporary folder for dcmtk and curl, deleted at the end.
        var files = Directory.CreateTempSubdirectory("cloudanon-gateway-client-ca-");
        try
        {
            string serverPem = Path.Combine(files.FullName, "server.pem"), caPem = Path.Combine(files.FullName, "ca.pem");
            await File.WriteAllTextAsync(serverPem, server.ExportCertificatePem());
            await File.WriteAllTextAsync(caPem, siteCa.ExportCertificatePem());
            var (modalityPem, modalityKey) = await WriteClientAsync(modality, files.FullName, "modality");
            var (strangerPem, strangerKey) = await WriteClientAsync(stranger, files.FullName, "stranger");
            var authority = ClientCertificateAuthority.FromPemFile(caPem);
            await using var gateway = await GatewayHarness.StartAsync(new DicomServerOptions { TlsCertificate = server, ClientCertificateAuthority = authority });
            ExternalTool.Result StoreScu(params string[] tls) =>
                ExternalTool.Run("storescu", [.. tls, "+cf", serverPem, "-xe", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, Sample.FullPath]);

            Assert.NotEqual(0, StoreScu("+tla").ExitCode);
            Assert.NotEqual(0, StoreScu("+tls", strangerKey, strangerPem).ExitCode);
            await foreach (var _ in gateway.Ingress.GetBlobsAsync()) Assert.Fail("an instance landed without a certificate of the site's CA");
            Assert.Equal(2, gateway.Log.Entries.Count(entry => entry.Message.Contains("TLS handshake failed", StringComparison.Ordinal)));
            var admitted = StoreScu("+tls", modalityKey, modalityPem);
            Assert.True(admitted.ExitCode == 0, admitted.StandardError);
            var identity = (await GatewayHarness.IdentityAsync(Sample.FullPath))!.Value;
            Assert.True(await gateway.Ingress.GetBlobClient(gateway.BlobName(identity.SopInstance)).ExistsAsync());

            // STOW-RS over HTTPS with the same authority, judged by curl.
            await using var stow = await gateway.StartStowAsync(new StowServerOptions { TlsCertificate = server, ClientCertificateAuthority = authority });
            var other = Corpus.Get("modality/CT/CT_small_GE.dcm");
            var body = StowRequest.Body([await File.ReadAllBytesAsync(other.FullPath)]);
            var url = new Uri(stow.BaseAddress, "studies");
            Assert.Throws<InvalidOperationException>(() => StowRequest.Curl(url, body, StowRequest.ContentType, "--cacert", serverPem));
            Assert.Throws<InvalidOperationException>(() => StowRequest.Curl(url, body, StowRequest.ContentType, "--cacert", serverPem, "--cert", strangerPem, "--key", strangerKey));
            var stored = StowRequest.Curl(url, body, StowRequest.ContentType, "--cacert", serverPem, "--cert", modalityPem, "--key", modalityKey);
            Assert.Equal(200, stored.Status);
            Assert.Equal(2, (await BlobListing.ListAsync(gateway.Ingress)).Count);
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    private static X509Certificate2 CreateCertificateAuthority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, OU={Guid.NewGuid():N}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
    }

    private static X509Certificate2 IssueClientCertificate(X509Certificate2 authority, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = request.Create(authority, authority.NotBefore, authority.NotAfter.AddDays(-1), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    private static async Task<(string Certificate, string Key)> WriteClientAsync(X509Certificate2 certificate, string directory, string name)
    {
        var (certificatePath, keyPath) = (Path.Combine(directory, $"{name}.pem"), Path.Combine(directory, $"{name}.key"));
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetRSAPrivateKey()!;
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private static async Task<string> WritePemAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cloudanon-gateway-tls-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, certificate.ExportCertificatePem());
        return path;
    }
}
