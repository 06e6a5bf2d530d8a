using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core;

/// <summary>Supplies the recipient certificate that reversible de-identification encrypts to. Only its public key is used.</summary>
public interface ICertificateSource
{
    ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Supplies the certificate with its private key, for re-identification only.</summary>
public interface IDecryptionKeySource
{
    ValueTask<X509Certificate2> GetDecryptionCertificateAsync(CancellationToken cancellationToken = default);
}
