using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core.Certificates;

/// <summary>
/// Supplies the encryption certificate from a file (PEM, DER, or PFX with optional password; gdcmanon's <c>-c</c>).
/// Only the public certificate is returned, even from a PFX. The file is read on first use and kept; a failed read is
/// retried on the next call. The returned instance is shared: callers must not dispose it.
/// </summary>
public sealed class PemCertificateSource : ICertificateSource
{
    private readonly Lazy<X509Certificate2> _certificate;

    public PemCertificateSource(string certificatePath, string? pfxPassword = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificatePath);
        _certificate = new(
            () => CertificateFiles.LoadPublicCertificate(certificatePath, pfxPassword),
            LazyThreadSafetyMode.PublicationOnly);
    }

    /// <exception cref="CertificateUnavailableException">The file is missing, unreadable, or not an RSA certificate.</exception>
    public ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_certificate.Value);
    }
}
