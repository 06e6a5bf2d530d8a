using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Network.Stow;

/// <summary>How the gateway's STOW-RS listener behaves. Without a token requirement it listens on loopback only.</summary>
public sealed class StowServerOptions
{
    /// <summary>Where to listen; a non-loopback address needs <see cref="RequiredToken"/>.</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Bearer tokens every request must carry; null accepts requests without a token (loopback only).</summary>
    public BearerTokenRequirement? RequiredToken { get; init; }

    /// <summary>Server certificate (with private key) for HTTPS; null for plain HTTP.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>With HTTPS: every connection needs a client certificate issued by this authority.</summary>
    public ClientCertificateAuthority? ClientCertificateAuthority { get; init; }

    /// <summary>The largest request body; a larger one is answered 413 (Payload Too Large) and nothing of it is stored.</summary>
    public long MaxRequestLength { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Connections at once; more wait in the listen backlog.</summary>
    public int MaxConnections { get; init; } = 16;
}

/// <summary>
/// Entra ID (or any OpenID Connect issuer) bearer tokens: signed by a key from the issuer's OpenID configuration, issued
/// by it, for <see cref="Audience"/>, within their lifetime.
/// </summary>
/// <param name="Authority">The issuer's base address, e.g. https://login.microsoftonline.com/TENANT/v2.0; its
/// /.well-known/openid-configuration names the issuer and the signing keys. HTTPS, or HTTP on loopback (a local issuer).</param>
/// <param name="Audience">The token's aud claim: the gateway's application ID URI or client ID.</param>
public sealed record BearerTokenRequirement(Uri Authority, string Audience);
