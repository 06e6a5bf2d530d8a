using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core.Certificates;

/// <summary>
/// Supplies the re-identification certificate with its RSA private key from files: a certificate plus a PEM private key
/// (gdcmanon's <c>-c</c>/<c>-k</c>; PKCS#1 or PKCS#8), or a PFX. Loaded on first use and kept; a failed load is retried
/// on the next call. The returned instance is shared: callers must not dispose it.
/// </summary>
public sealed class PemDecryptionKeySource : IDecryptionKeySource
{
    private readonly Lazy<X509Certificate2> _certificate;

    private PemDecryptionKeySource(Func<X509Certificate2> load) =>
        _certificate = new(load, LazyThreadSafetyMode.PublicationOnly);

    /// <param name="certificatePath">PEM or DER certificate.</param>
    /// <param name="privateKeyPath">PEM RSA private key: "RSA PRIVATE KEY", "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY".</param>
    /// <param name="privateKeyPassword">Password of an encrypted PKCS#8 key; null for a plain key.</param>
    public static PemDecryptionKeySource FromPemFiles(string certificatePath, string privateKeyPath, string? privateKeyPassword = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPath);
        return new(() => CertificateFiles.LoadCertificateWithPemKey(certificatePath, privateKeyPath, privateKeyPassword));
    }

    public static PemDecryptionKeySource FromPfxFile(string pfxPath, string? password = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pfxPath);
        return new(() => CertificateFiles.LoadPfxWithPrivateKey(pfxPath, password));
    }

    /// <exception cref="CertificateUnavailableException">A file is missing or unusable, or the key does not match the certificate.</exception>
    public ValueTask<X509Certificate2> GetDecryptionCertificateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_certificate.Value);
    }
}
