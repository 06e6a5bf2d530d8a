using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.TestData;

/// <summary>Self-signed RSA certificates generated at run time, so no key material is ever committed.</summary>
public static class TestCertificates
{
    /// <summary>An RSA-2048 certificate with its (exportable) private key, valid from yesterday for a year.</summary>
    public static X509Certificate2 CreateRsa(string commonName)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return CreateRsa(commonName, now.AddDays(-1), now.AddYears(1));
    }

    /// <summary>An RSA-2048 certificate with its (exportable) private key, valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static X509Certificate2 CreateRsa(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(
            new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>A TLS server certificate for 127.0.0.1 (and <paramref name="dnsName"/> when given), with its private key.</summary>
    public static X509Certificate2 CreateLoopbackTlsCertificate(string? dnsName = null)
    {
        using RSA key = RSA.Create(2048);
        // A subject of its own: two self-signed certificates with one subject in a trust file (SSL_CERT_FILE) make OpenSSL
        // pick either as the issuer of both, and the other's TLS handshake fails (SecureConnectionError).
        var request = new CertificateRequest($"CN={dnsName ?? "127.0.0.1"}, OU=CloudAnon test {Guid.NewGuid():N}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var subjectAlternativeNames = new SubjectAlternativeNameBuilder();
        subjectAlternativeNames.AddIpAddress(IPAddress.Loopback);
        if (dnsName is not null)
        {
            subjectAlternativeNames.AddDnsName(dnsName);
        }

        request.CertificateExtensions.Add(subjectAlternativeNames.Build());
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }

    /// <summary>An RSA certificate with a subject key identifier (the CMS tests name recipients by it), valid for a day.</summary>
    public static X509Certificate2 CreateWithPrivateKey(string commonName = "CloudAnon test recipient", int keySizeInBits = 2048)
    {
        using RSA key = RSA.Create(keySizeInBits);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    /// <summary>A certificate with the same issuer and serial number as <paramref name="original"/> but another key.</summary>
    public static X509Certificate2 CreateImpostor(X509Certificate2 original)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(original.SubjectName, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.Create(
            original.IssuerName,
            X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1),
            original.NotBefore,
            original.NotAfter,
            original.SerialNumberBytes.ToArray());
        return certificate.CopyWithPrivateKey(key);
    }

    public static X509Certificate2 PublicOnly(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadCertificate(certificate.RawData);

    /// <summary>Writes cert.pem and key.pem (PKCS#8) for openssl and gdcmanon.</summary>
    public static (string CertificatePath, string KeyPath) ExportPem(X509Certificate2 certificate, string directory)
    {
        using RSA key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("The certificate has no RSA private key.");
        string certificatePath = Path.Combine(directory, "cert.pem");
        string keyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }
}
