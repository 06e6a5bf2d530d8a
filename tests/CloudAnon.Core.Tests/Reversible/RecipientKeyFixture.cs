using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudAnon.Core.Certificates;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Reversible;

/// <summary>
/// One RSA-2048 recipient per test class, made at run time, with cert.pem and a PKCS#1 key.pem (the form gdcmanon's
/// -k reads) in a temporary directory that is deleted afterwards.
/// </summary>
public sealed class RecipientKeyFixture : IDisposable
{
    public RecipientKeyFixture()
    {
        Certificate = TestCertificates.CreateRsa("CloudAnon reversible test");
        Directory = System.IO.Directory.CreateTempSubdirectory("cloudanon-reversible-").FullName;
        CertificatePath = Path.Combine(Directory, "cert.pem");
        KeyPath = Path.Combine(Directory, "key.pem");
        using RSA key = Certificate.GetRSAPrivateKey()!;
        File.WriteAllText(CertificatePath, Certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportRSAPrivateKeyPem());
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Scratch directory for this class's files; deleted with the keys.</summary>
    public string Directory { get; }

    public string CertificatePath { get; }

    public string KeyPath { get; }

    public IDecryptionKeySource KeySource() => PemDecryptionKeySource.FromPemFiles(CertificatePath, KeyPath);

    public void Dispose()
    {
        Certificate.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
