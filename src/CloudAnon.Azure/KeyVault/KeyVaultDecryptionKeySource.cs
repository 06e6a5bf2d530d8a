using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using CloudAnon.Core;

namespace CloudAnon.Azure.KeyVault;

/// <summary>
/// Supplies the re-identification certificate with its private key by downloading the certificate's secret (the PFX)
/// from Key Vault. Only re-identification uses this: the identity needs secret read permission on the vault, which the
/// de-identification function must not have. Downloaded once on first use and kept (a failed download is retried on the
/// next call); the returned instance is shared: callers must not dispose it.
/// </summary>
public sealed class KeyVaultDecryptionKeySource : IDecryptionKeySource
{
    private readonly CertificateClient _client;
    private readonly string _certificateName;
    private readonly string? _version;
    private readonly SemaphoreSlim _downloadGate = new(1, 1);
    private X509Certificate2? _certificate;

    /// <param name="version">A specific version (files encrypted before a rotation need the older key); null for the latest.</param>
    public KeyVaultDecryptionKeySource(Uri vaultUri, string certificateName, TokenCredential credential, string? version = null)
        : this(new CertificateClient(vaultUri, credential), certificateName, version)
    {
    }

    public KeyVaultDecryptionKeySource(CertificateClient client, string certificateName, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateName);
        _client = client;
        _certificateName = certificateName;
        _version = version;
    }

    /// <exception cref="CertificateUnavailableException">The vault refuses or cannot supply the certificate with its private key.</exception>
    public async ValueTask<X509Certificate2> GetDecryptionCertificateAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _certificate) is { } downloaded)
        {
            return downloaded;
        }

        await _downloadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_certificate is null)
            {
                Volatile.Write(ref _certificate, await DownloadAsync(cancellationToken).ConfigureAwait(false));
            }

            return _certificate!;
        }
        finally
        {
            _downloadGate.Release();
        }
    }

    private async Task<X509Certificate2> DownloadAsync(CancellationToken cancellationToken)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = (await _client.DownloadCertificateAsync(_certificateName, _version, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (KeyVaultFailure.IsVaultFailure(ex, cancellationToken))
        {
            throw KeyVaultFailure.Unavailable(_client.VaultUri, _certificateName, KeyVaultFailure.DescribeCause(ex), ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw KeyVaultFailure.Unavailable(
                _client.VaultUri, _certificateName, "the downloaded certificate has no private key (is its key exportable?)", null);
        }

        return certificate;
    }
}
