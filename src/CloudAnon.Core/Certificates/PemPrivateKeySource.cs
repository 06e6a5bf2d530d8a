using System.Security.Cryptography;

namespace CloudAnon.Core.Certificates;

/// <summary>
/// Supplies the re-identification key from a PEM RSA private key file alone (gdcmanon's <c>-k</c> without <c>-c</c>;
/// PKCS#1 or PKCS#8, optionally encrypted). Read on first use and kept; a failed read is retried on the next call.
/// </summary>
public sealed class PemPrivateKeySource : IPrivateKeySource
{
    private readonly Lazy<byte[]> _pkcs8;

    public PemPrivateKeySource(string privateKeyPath, string? privateKeyPassword = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(privateKeyPath);
        _pkcs8 = new(() =>
        {
            using RSA key = CertificateFiles.LoadRsaPrivateKey(privateKeyPath, privateKeyPassword);
            return key.ExportPkcs8PrivateKey();
        }, LazyThreadSafetyMode.PublicationOnly);
    }

    /// <exception cref="CertificateUnavailableException">The file is missing, unreadable, or holds no usable RSA private key.</exception>
    public ValueTask<RSA> GetPrivateKeyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] pkcs8 = _pkcs8.Value;
        RSA key = RSA.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return ValueTask.FromResult(key);
    }
}
