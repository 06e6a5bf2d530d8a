using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Core;

/// <summary>Supplies the recipient certificate that reversible de-identification encrypts to. Only its public key is used.</summary>
public interface ICertificateSource
{
    ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default);
}

/// <summary>Supplies the certificate with its private key, for re-identification only. The certificate names the envelope's recipient.</summary>
public interface IDecryptionKeySource
{
    ValueTask<X509Certificate2> GetDecryptionCertificateAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Supplies an RSA private key without its certificate, for re-identification only (gdcmanon's <c>-k</c> alone): the
/// envelope's recipient is the one the key opens.
/// </summary>
public interface IPrivateKeySource
{
    /// <summary>A new instance on every call (RSA objects are not safe to share between threads); the caller disposes it.</summary>
    ValueTask<RSA> GetPrivateKeyAsync(CancellationToken cancellationToken = default);
}
