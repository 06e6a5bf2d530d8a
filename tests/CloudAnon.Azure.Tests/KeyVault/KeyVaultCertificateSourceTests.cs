using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core;
using CloudAnon.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CloudAnon.Azure.Tests.KeyVault;

/// <summary>The real Azure SDK CertificateClient against <see cref="FakeKeyVaultServer"/>, with time advanced by hand.</summary>
public sealed class KeyVaultCertificateSourceTests : FakeVaultTests
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger<KeyVaultCertificateSource> _logger = new();

    [Fact]
    public async Task Fetches_the_public_certificate_without_reading_its_secret()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        StaticTokenCredential credential = Vault.CreateCredential();

        X509Certificate2 certificate = await CreateSource(credential).GetEncryptionCertificateAsync();

        Assert.Equal(FirstVersion.RawData, certificate.RawData);
        Assert.False(certificate.HasPrivateKey);
        Assert.Equal(1, Vault.CountAuthorizedRequests("/certificates/"));
        Assert.Equal(0, Vault.CountAuthorizedRequests("/secrets/"));
        Assert.Contains("https://vault.azure.net/.default", credential.RequestedScopes);
    }

    [Fact]
    public async Task Serves_the_cached_certificate_within_the_refresh_interval()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        KeyVaultCertificateSource source = CreateSource();
        X509Certificate2 first = await source.GetEncryptionCertificateAsync();
        int requestsAfterFirstFetch = Vault.Requests.Count;

        _time.Advance(RefreshInterval - TimeSpan.FromSeconds(1));
        X509Certificate2 second = await source.GetEncryptionCertificateAsync();

        Assert.Same(first, second);
        Assert.Equal(requestsAfterFirstFetch, Vault.Requests.Count);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_fetch()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        KeyVaultCertificateSource source = CreateSource();

        X509Certificate2[] certificates = await Task.WhenAll(
            Enumerable.Range(0, 32).Select(_ => Task.Run(async () => await source.GetEncryptionCertificateAsync())));

        Assert.All(certificates, certificate => Assert.Same(certificates[0], certificate));
        Assert.Equal(1, Vault.CountAuthorizedRequests("/certificates/"));
    }

    [Fact]
    public async Task Picks_up_a_rotated_version_after_the_refresh_interval()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        KeyVaultCertificateSource source = CreateSource();
        await source.GetEncryptionCertificateAsync();
        using X509Certificate2 secondVersion = TestCertificates.CreateRsa("CloudAnon recipient v2");
        Vault.AddCertificateVersion(CertificateName, secondVersion);

        X509Certificate2 beforeRefresh = await source.GetEncryptionCertificateAsync();
        _time.Advance(RefreshInterval);
        X509Certificate2 afterRefresh = await source.GetEncryptionCertificateAsync();

        Assert.Equal(FirstVersion.RawData, beforeRefresh.RawData);
        Assert.Equal(secondVersion.RawData, afterRefresh.RawData);
        Assert.Equal(2, Vault.CountAuthorizedRequests("/certificates/"));
    }

    [Fact]
    public async Task Expired_certificate_is_refused_at_the_first_fetch_with_its_expiry()
    {
        using X509Certificate2 expired = TestCertificates.CreateRsa("CloudAnon recipient expired", _time.GetUtcNow().AddYears(-1), _time.GetUtcNow().AddDays(-1));
        Vault.AddCertificateVersion(CertificateName, expired);

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await CreateSource().GetEncryptionCertificateAsync());

        Assert.Equal(
            $"Certificate '{CertificateName}' in key vault '127.0.0.1' is unavailable: the certificate expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC.",
            failure.Message);
    }

    [Fact]
    public async Task Cached_certificate_is_refused_once_it_expires_before_the_next_refresh()
    {
        using X509Certificate2 expiringSoon = TestCertificates.CreateRsa("CloudAnon recipient expiring", _time.GetUtcNow().AddDays(-1), _time.GetUtcNow().AddMinutes(2));
        Vault.AddCertificateVersion(CertificateName, expiringSoon);
        KeyVaultCertificateSource source = CreateSource();
        X509Certificate2 fetched = await source.GetEncryptionCertificateAsync();
        int requestsAfterFirstFetch = Vault.Requests.Count;

        _time.Advance(TimeSpan.FromMinutes(3));
        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await source.GetEncryptionCertificateAsync());

        Assert.Equal(expiringSoon.RawData, fetched.RawData);
        Assert.Contains("the certificate expired on", failure.Message);
        Assert.Equal(requestsAfterFirstFetch, Vault.Requests.Count);
    }

    [Fact]
    public async Task Expired_certificate_is_refused_on_refresh_even_as_the_fallback_for_an_unreachable_vault()
    {
        using X509Certificate2 expiringSoon = TestCertificates.CreateRsa("CloudAnon recipient expiring", _time.GetUtcNow().AddDays(-1), _time.GetUtcNow().AddMinutes(7));
        Vault.AddCertificateVersion(CertificateName, expiringSoon);
        KeyVaultCertificateSource source = CreateSource();
        await source.GetEncryptionCertificateAsync();
        _time.Advance(RefreshInterval);
        await source.GetEncryptionCertificateAsync();
        await Vault.StopAsync();

        _time.Advance(RefreshInterval);
        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await source.GetEncryptionCertificateAsync());

        Assert.Contains("the certificate expired on", failure.Message);
        Assert.Equal(2, Vault.CountAuthorizedRequests("/certificates/"));
    }

    [Fact]
    public async Task UnreachableVault_with_nothing_cached_throws_namingVault_and_certificate()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        await Vault.StopAsync();

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await CreateSource().GetEncryptionCertificateAsync());

        Assert.Equal(
            $"Certificate '{CertificateName}' in key vault '127.0.0.1' is unavailable: the vault could not be reached (ConnectionError).",
            failure.Message);
        Assert.NotNull(failure.InnerException);
    }

    [Fact]
    public async Task Vault_answering_503_with_nothing_cached_throws_with_the_status()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        Vault.Unavailable = true;

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await CreateSource().GetEncryptionCertificateAsync());

        Assert.Contains("status 503", failure.Message);
    }

    [Fact]
    public async Task UnreachableVault_after_a_fetch_serves_the_cached_certificate_and_warns()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        KeyVaultCertificateSource source = CreateSource();
        X509Certificate2 fetched = await source.GetEncryptionCertificateAsync();
        await Vault.StopAsync();

        _time.Advance(TimeSpan.FromMinutes(10));
        X509Certificate2 served = await source.GetEncryptionCertificateAsync();
        int requestsAfterFailedRefresh = Vault.Requests.Count;
        X509Certificate2 servedAgain = await source.GetEncryptionCertificateAsync();

        Assert.Same(fetched, served);
        Assert.Same(fetched, servedAgain);
        CapturedLog warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("the vault could not be reached", warning.Message);
        Assert.Equal(requestsAfterFailedRefresh, Vault.Requests.Count);
    }

    [Fact]
    public async Task Cached_certificate_older_than_max_staleness_is_no_longer_served()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);
        KeyVaultCertificateSource source = CreateSource();
        await source.GetEncryptionCertificateAsync();
        Vault.Unavailable = true;

        _time.Advance(MaxStaleness - TimeSpan.FromMinutes(1));
        await source.GetEncryptionCertificateAsync();
        _time.Advance(TimeSpan.FromMinutes(1));

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await source.GetEncryptionCertificateAsync());
        Assert.Contains("status 503", failure.Message);
    }

    [Fact]
    public async Task Rejected_token_throws_with_status_401()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await CreateSource(new StaticTokenCredential("not-the-vault-token")).GetEncryptionCertificateAsync());

        Assert.Contains("status 401", failure.Message);
        Assert.Equal(0, Vault.CountAuthorizedRequests("/"));
    }

    [Fact]
    public async Task Credential_failure_throws_certificate_unavailable()
    {
        Vault.AddCertificateVersion(CertificateName, FirstVersion);

        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await CreateSource(new FailingCredential()).GetEncryptionCertificateAsync());

        Assert.Contains("the credential could not obtain a token", failure.Message);
        Assert.IsType<AuthenticationFailedException>(failure.InnerException);
    }

    [Fact]
    public async Task Unknown_certificate_throws_with_theVault_error_code()
    {
        var failure = await Assert.ThrowsAsync<CertificateUnavailableException>(
            async () => await CreateSource().GetEncryptionCertificateAsync());

        Assert.Contains("status 404 (CertificateNotFound)", failure.Message);
    }

    [Fact]
    public void Max_staleness_shorter_than_refresh_interval_is_rejected()
    {
        var options = new KeyVaultCertificateOptions
        {
            VaultUri = new Uri("https://example.vault.azure.net/"),
            CertificateName = CertificateName,
            RefreshInterval = TimeSpan.FromMinutes(10),
            MaxStaleness = TimeSpan.FromMinutes(5),
        };

        var failure = Assert.Throws<ArgumentException>(() => new KeyVaultCertificateSource(options, new StaticTokenCredential("unused")));
        Assert.Equal(nameof(KeyVaultCertificateOptions.MaxStaleness), failure.ParamName);
    }

    private KeyVaultCertificateSource CreateSource(TokenCredential? credential = null) => new(
        Vault.CreateCertificateClient(credential),
        new KeyVaultCertificateOptions
        {
            VaultUri = Vault.VaultUri,
            CertificateName = CertificateName,
            RefreshInterval = RefreshInterval,
            MaxStaleness = MaxStaleness,
        },
        _time,
        _logger);

    private sealed class FailingCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new AuthenticationFailedException("No identity is available in this test.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
