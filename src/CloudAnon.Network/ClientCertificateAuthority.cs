using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Network;

/// <summary>
/// The site's own certificate authority for client certificates (DICOM TLS and HTTPS): a sender is admitted only with a
/// certificate that chains to one of the bundle's certificates — not to whatever the machine's trust store holds —, is
/// within its validity period, and, where it names its uses, names client authentication. Revocation is not checked
/// (a private CA often publishes no revocation list): remove a sender by reissuing the CA or by its calling AE title.
/// </summary>
public sealed class ClientCertificateAuthority
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");
    private readonly X509Certificate2Collection _authorities;

    public ClientCertificateAuthority(X509Certificate2Collection authorities)
    {
        if (authorities.Count == 0) throw new ArgumentException("At least one certificate authority is needed.", nameof(authorities));
        _authorities = authorities;
    }

    /// <summary>The certificates of a PEM bundle (one or more BEGIN CERTIFICATE blocks).</summary>
    /// <exception cref="CryptographicException">The file holds no certificate, or one that cannot be read.</exception>
    public static ClientCertificateAuthority FromPemFile(string path)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(path);
        return authorities.Count > 0 ? new ClientCertificateAuthority(authorities) : throw new CryptographicException("no certificate in the file");
    }

    /// <summary>True when <paramref name="presented"/> (null: none sent) chains to one of the authorities.</summary>
    public bool Accepts(X509Certificate? presented)
    {
        if (presented is null) return false;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(certificate);
    }
}
