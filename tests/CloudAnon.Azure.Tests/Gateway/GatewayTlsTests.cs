using CloudAnon.Azure.KeyVault;
using CloudAnon.Network;
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

    private static async Task<string> WritePemAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cloudanon-gateway-tls-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, certificate.ExportCertificatePem());
        return path;
    }
}
