using System.Security.Cryptography.X509Certificates;

namespace CloudAnon.Network;

/// <summary>How the gateway's DICOM listener behaves. Defaults are safe for a hospital network.</summary>
public sealed class DicomServerOptions
{
    public const int MinPduLength = 16 * 1024;

    /// <summary>The called AE title senders must address.</summary>
    public string AeTitle { get; init; } = "CLOUDANON";

    /// <summary>Senders allowed; with none, only connections from loopback addresses are accepted.</summary>
    public IReadOnlyList<CallingAeRule> CallingAes { get; init; } = [];

    public int MaxAssociations { get; init; } = 16;

    /// <summary>The largest PDU the gateway receives (advertised in the A-ASSOCIATE-AC), and the A-ASSOCIATE-RQ limit.</summary>
    public int MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>ARTIM (PS3.8 9.1.5): the wait for the A-ASSOCIATE-RQ after connect, and for the close after a reject or release.</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest silence from the sender within an association.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest an association may last.</summary>
    public TimeSpan MaxAssociationDuration { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Server certificate (with private key) for DICOM TLS (PS3.15 Annex B); null for plain TCP.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>With TLS: ask senders for a client certificate and refuse those without one the machine trusts.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>With TLS: ask senders for a client certificate and refuse those without one issued by this authority.</summary>
    public ClientCertificateAuthority? ClientCertificateAuthority { get; init; }
}
