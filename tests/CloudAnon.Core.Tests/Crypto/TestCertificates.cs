using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core.Tests.Crypto;

/// <summary>RSA certificates made at run time; no key ever lives in the repository.</summary>
internal static class TestCertificates
{
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
