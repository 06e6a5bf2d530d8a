using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using CloudAnon.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudAnon.Azure.KeyVault;

/// <summary>
/// Supplies the encryption certificate (public part only) from Key Vault, reading the certificate object and never its
/// secret, so the identity needs only certificate read permission. The latest version is cached for
/// <see cref="KeyVaultCertificateOptions.RefreshInterval"/>, so a rotation is picked up within that time; concurrent
/// callers share one fetch. When a refresh fails, the cached certificate is served (with a warning) until it is
/// <see cref="KeyVaultCertificateOptions.MaxStaleness"/> old; after that, or with nothing cached,
/// <see cref="CertificateUnavailableException"/> is thrown. An expired certificate is refused (with its expiry date) on
/// the first fetch, on every refresh, and when a cached one expires: nothing is encrypted to it. The returned instance
/// is shared: callers must not dispose it.
/// </summary>
public sealed partial class KeyVaultCertificateSource : ICertificateSource
{
    private readonly CertificateClient _client;
    private readonly string _certificateName;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _maxStaleness;
    private readonly TimeSpan _retryAfterFailure;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private volatile CachedCertificate? _cached;

    /// <summary>Production constructor: builds the <see cref="CertificateClient"/> from the options and a credential (managed identity).</summary>
    public KeyVaultCertificateSource(
        KeyVaultCertificateOptions options,
        TokenCredential credential,
        TimeProvider? timeProvider = null,
        ILogger<KeyVaultCertificateSource>? logger = null)
        : this(CreateClient(options, credential), options, timeProvider, logger)
    {
    }

    /// <summary>Uses a configured client (custom transport, retry or diagnostics options); the client's vault is used.</summary>
    public KeyVaultCertificateSource(
        CertificateClient client,
        KeyVaultCertificateOptions options,
        TimeProvider? timeProvider = null,
        ILogger<KeyVaultCertificateSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _certificateName = options.CertificateName;
        _refreshInterval = options.RefreshInterval;
        _maxStaleness = options.MaxStaleness;
        _retryAfterFailure = options.RetryAfterFailure;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <exception cref="CertificateUnavailableException">The vault cannot supply the certificate and no cached copy is young enough.</exception>
    public async ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default)
    {
        CachedCertificate? cached = _cached;
        if (cached is not null && _timeProvider.GetUtcNow() < cached.NextRefreshAt)
        {
            return RefuseExpired(cached.Certificate);
        }

        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A caller ahead of us at the gate may just have refreshed: its fetch serves everyone who waited.
            cached = _cached;
            if (cached is not null && _timeProvider.GetUtcNow() < cached.NextRefreshAt)
            {
                return RefuseExpired(cached.Certificate);
            }

            return RefuseExpired(await RefreshAsync(cached, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task<X509Certificate2> RefreshAsync(CachedCertificate? previous, CancellationToken cancellationToken)
    {
        KeyVaultCertificateWithPolicy fetched;
        X509Certificate2 certificate;
        try
        {
            fetched = (await _client.GetCertificateAsync(_certificateName, cancellationToken).ConfigureAwait(false)).Value;
            certificate = X509CertificateLoader.LoadCertificate(fetched.Cer);
        }
        catch (Exception ex) when (KeyVaultFailure.IsVaultFailure(ex, cancellationToken))
        {
            return ServeCachedOrThrow(previous, ex);
        }

        // A disabled or non-RSA certificate is a deliberate or configuration state, not an outage: never fall back.
        if (fetched.Properties.Enabled == false)
        {
            certificate.Dispose();
            throw KeyVaultFailure.Unavailable(_client.VaultUri, _certificateName, "the certificate is disabled", null);
        }

        using (RSA? publicKey = certificate.GetRSAPublicKey())
        {
            if (publicKey is null)
            {
                certificate.Dispose();
                throw KeyVaultFailure.Unavailable(_client.VaultUri, _certificateName, "the certificate does not hold an RSA key", null);
            }
        }

        DateTimeOffset now = _timeProvider.GetUtcNow();
        _cached = new CachedCertificate(certificate, now, now + _refreshInterval);
        return certificate;
    }

    /// <summary>The certificate, unless it has expired: then the refusal names its expiry (NotAfter) in UTC.</summary>
    private X509Certificate2 RefuseExpired(X509Certificate2 certificate)
    {
        DateTimeOffset notAfter = certificate.NotAfter.ToUniversalTime();
        if (_timeProvider.GetUtcNow() < notAfter)
        {
            return certificate;
        }

        throw KeyVaultFailure.Unavailable(_client.VaultUri, _certificateName, $"the certificate expired on {notAfter:yyyy-MM-dd HH:mm:ss} UTC", null);
    }

    private X509Certificate2 ServeCachedOrThrow(CachedCertificate? previous, Exception failure)
    {
        string cause = KeyVaultFailure.DescribeCause(failure);
        DateTimeOffset now = _timeProvider.GetUtcNow();
        if (previous is null || now >= previous.FetchedAt + _maxStaleness)
        {
            throw KeyVaultFailure.Unavailable(_client.VaultUri, _certificateName, cause, failure);
        }

        LogServingCachedCertificate(_logger, failure, _certificateName, _client.VaultUri.Host, cause, now - previous.FetchedAt);
        // Back off before asking the vault again, but never serve past the staleness limit.
        DateTimeOffset retryAt = now + _retryAfterFailure;
        DateTimeOffset expiresAt = previous.FetchedAt + _maxStaleness;
        _cached = previous with { NextRefreshAt = retryAt < expiresAt ? retryAt : expiresAt };
        return previous.Certificate;
    }

    private static CertificateClient CreateClient(KeyVaultCertificateOptions options, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        options.Validate();
        return new CertificateClient(options.VaultUri!, credential);
    }

    [LoggerMessage(
        Level = LogLevel.Warning,
        Message = "Refreshing certificate {CertificateName} from key vault {VaultHost} failed ({Cause}); serving the cached certificate fetched {Age} ago")]
    private static partial void LogServingCachedCertificate(
        ILogger logger, Exception exception, string certificateName, string vaultHost, string cause, TimeSpan age);

    private sealed record CachedCertificate(X509Certificate2 Certificate, DateTimeOffset FetchedAt, DateTimeOffset NextRefreshAt);
}
