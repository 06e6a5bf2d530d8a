namespace CloudAnon.Azure.KeyVault;

/// <summary>Where the encryption certificate lives in Key Vault and how long a fetched copy is trusted.</summary>
public sealed class KeyVaultCertificateOptions
{
    /// <summary>The vault, e.g. <c>https://contoso.vault.azure.net/</c>.</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>The certificate's name; its latest version is used.</summary>
    public string CertificateName { get; set; } = "";

    /// <summary>How long a fetched certificate is used before asking the vault again, so a rotation is picked up.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How old a cached certificate may grow while the vault cannot be reached before encryption stops.</summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After a failed refresh that fell back to the cached certificate, how long to wait before asking again.</summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (VaultUri is null || !VaultUri.IsAbsoluteUri || VaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("VaultUri must be an absolute https URI.", nameof(VaultUri));
        }

        if (string.IsNullOrWhiteSpace(CertificateName))
        {
            throw new ArgumentException("CertificateName is required.", nameof(CertificateName));
        }

        if (RefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("RefreshInterval must be positive.", nameof(RefreshInterval));
        }

        if (MaxStaleness < RefreshInterval)
        {
            throw new ArgumentException("MaxStaleness must not be shorter than RefreshInterval.", nameof(MaxStaleness));
        }

        if (RetryAfterFailure <= TimeSpan.Zero)
        {
            throw new ArgumentException("RetryAfterFailure must be positive.", nameof(RetryAfterFailure));
        }
    }
}
