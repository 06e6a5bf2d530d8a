using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Security.KeyVault.Certificates;
using CloudAnon.Azure.KeyVault;
using CloudAnon.Core;
using CloudAnon.Network;
using CloudAnon.Network.Stow;

namespace CloudAnon.Cli.Cloud;

/// <summary>The parsed command line of <c>cloudanon gateway</c>.</summary>
internal sealed record GatewayArguments
{
    public const string Verb = "gateway";
    public const int DefaultPort = 11112;

    public static readonly string Usage = $"""
        Usage: cloudanon gateway [STORAGE] [MAPPING KEY] [OPTION]...
        Receives DICOM instances from the imaging network by C-STORE (DICOM Upper Layer, optionally DICOM TLS) and, with
        --http-port, by DICOMweb STOW-RS, and lands each one in the ingress container, where the function de-identifies it.
        Each instance is a block blob named by a keyed hash of its SOP Instance UID; a C-STORE is answered only once the
        blob is committed (0000), with A700 when storage cannot be reached (send again later), C000 for a data set that
        cannot be read. Runs until interrupted (Ctrl+C, SIGTERM): then refuses new associations, finishes instances in
        flight, and exits. See docs/gateway.md.

        {StorageTarget.Usage}
        {MappingKeyArguments.Usage}
          DICOM:
            --ae-title AE              The called AE title senders address (default CLOUDANON).
            --port N                   DIMSE port (default {DefaultPort}).
            --listen ADDRESS           Address to listen on (default: all).
            --calling-ae AE[@ADDRESS]  Repeatable: the senders allowed, optionally each from one address only. With
                                       none, only senders on this machine (loopback) are accepted.
            --max-associations N       Associations at once (default 16); more are rejected as "local limit exceeded".
            --max-pdu N                Largest PDU received, in bytes (default 262144, at least 16384).
            --idle-seconds S           Longest silence within an association (default 60).
            --artim-seconds S          Wait for the association request, and for the close after a release (default 30).
          DICOM TLS (PS3.15 Annex B):
            --tls-certificate FILE|URI Server certificate: PEM (with --tls-key FILE), PFX (password in
                                       CLOUDANON_TLS_PASSWORD), or a Key Vault certificate
                                       (https://VAULT.vault.azure.net/certificates/NAME[/VERSION]; Entra ID, needs
                                       secret read on the vault, as its private key is the certificate's secret).
            --tls-key FILE             The PEM private key of --tls-certificate.
            --tls-require-client-certificate   Refuse senders without a client certificate the system trusts.
            --tls-client-ca FILE       Refuse senders (DICOM TLS and HTTPS) without a client certificate issued by a
                                       certificate of this PEM bundle (the site's CA; revocation is not checked).
          DICOMweb STOW-RS (PS3.18; HTTPS with the --tls-certificate above):
            --http-port N              Serve POST /studies and /studies/STUDY-UID on this port (default: off).
            --http-listen ADDRESS      Address to listen on (default: loopback; all with --require-token).
            --require-token AUDIENCE   Every request needs an Entra ID bearer token for AUDIENCE (the gateway's app ID URI
                                       or client ID), issued by --token-authority. Without it, STOW-RS is loopback only.
            --token-authority URL      The token issuer, e.g. https://login.microsoftonline.com/TENANT/v2.0 (its
                                       /.well-known/openid-configuration gives the issuer and signing keys).
            --http-max-request-mb N    Largest request body in MiB (default 4096); larger ones get 413.
          Storage:
            --ingress NAME             default ingress (created when missing).
          -h --help                    This help.
        Exit codes: 0 stopped cleanly, 1 the account could not be reached at start, 2 usage error.
        """;

    public const string TlsPasswordEnvironmentVariable = "CLOUDANON_TLS_PASSWORD";

    private static readonly HashSet<string> ValueOptions =
    [
        .. StorageTarget.ValueOptions, .. MappingKeyArguments.ValueOptions,
        "--ingress", "--ae-title", "--port", "--listen", "--calling-ae", "--max-associations", "--max-pdu", "--idle-seconds",
        "--artim-seconds", "--tls-certificate", "--tls-key", "--tls-client-ca",
        "--http-port", "--http-listen", "--require-token", "--token-authority", "--http-max-request-mb",
    ];

    private static readonly HashSet<string> Switches = ["--tls-require-client-certificate"];

    public bool Help { get; private init; }
    public StorageTarget Storage { get; private init; } = null!;
    public string Ingress { get; private init; } = "ingress";
    public byte[] MappingKey { get; private init; } = [];
    public DicomServerOptions Dicom { get; private init; } = new();
    public IPEndPoint DicomEndpoint { get; private init; } = null!;

    /// <summary>The STOW-RS listener; null when --http-port is absent.</summary>
    public StowServerOptions? Stow { get; private init; }

    /// <exception cref="CliUsageException">A missing, unknown or malformed argument; the message names it and the rule.</exception>
    /// <exception cref="CloudSetupException">The mapping key's or the certificate's file cannot be read.</exception>
    public static async Task<GatewayArguments> ParseAsync(IReadOnlyList<string> args, Action<global::Azure.Storage.Blobs.BlobClientOptions> storageOptions, CancellationToken cancellationToken)
    {
        var arguments = VerbArguments.Parse(Verb, args, ValueOptions, Switches);
        if (arguments.Help) return new GatewayArguments { Help = true };
        if (arguments.Operands.Count > 0) throw arguments.Error($"unexpected operand '{arguments.Operands[0]}'");

        var ae = arguments.Value("--ae-title") ?? "CLOUDANON";
        if (!CallingAeRule.IsAeTitle(ae)) throw arguments.Error("--ae-title must be 1 to 16 characters, no backslash or control characters");
        var callingAes = arguments.Values("--calling-ae")
            .Select(text => CallingAeRule.TryParse(text, out var rule) ? rule : throw arguments.Error($"--calling-ae must be {CallingAeRule.Rule}"))
            .ToList();
        var listen = arguments.Value("--listen") is not { } address ? IPAddress.IPv6Any
            : IPAddress.TryParse(address, out var parsed) ? parsed
            : throw arguments.Error("--listen must be an IPv4 or IPv6 address");
        int maxPdu = arguments.PositiveInt("--max-pdu", 256 * 1024);
        if (maxPdu < DicomServerOptions.MinPduLength) throw arguments.Error($"--max-pdu must be at least {DicomServerOptions.MinPduLength}");

        var dicom = new DicomServerOptions
        {
            AeTitle = ae,
            CallingAes = callingAes,
            MaxAssociations = arguments.PositiveInt("--max-associations", 16),
            MaxPduLength = maxPdu,
            IdleTimeout = TimeSpan.FromSeconds(arguments.PositiveInt("--idle-seconds", 60)),
            ArtimTimeout = TimeSpan.FromSeconds(arguments.PositiveInt("--artim-seconds", 30)),
            TlsCertificate = await LoadCertificateAsync(arguments, cancellationToken),
            RequireClientCertificate = arguments.Has("--tls-require-client-certificate"),
            ClientCertificateAuthority = LoadClientCertificateAuthority(arguments),
        };
        if (dicom.RequireClientCertificate && dicom.TlsCertificate is null) throw arguments.Error("--tls-require-client-certificate needs --tls-certificate");
        if (dicom.ClientCertificateAuthority is not null && dicom.TlsCertificate is null) throw arguments.Error("--tls-client-ca needs --tls-certificate");

        return new GatewayArguments
        {
            Storage = StorageTarget.From(arguments, storageOptions),
            Ingress = arguments.Value("--ingress") ?? "ingress",
            Dicom = dicom,
            DicomEndpoint = new IPEndPoint(listen, arguments.Port("--port") ?? DefaultPort),
            Stow = StowOptions(arguments, dicom),
            MappingKey = await MappingKeyArguments.ReadAsync(arguments, cancellationToken),
        };
    }

    private static StowServerOptions? StowOptions(VerbArguments arguments, DicomServerOptions dicom)
    {
        var audience = arguments.Value("--require-token");
        var authority = arguments.Value("--token-authority");
        if (arguments.Port("--http-port") is not { } port)
        {
            return audience is null && authority is null && arguments.Value("--http-listen") is null && arguments.Value("--http-max-request-mb") is null ? null
                : throw arguments.Error("--http-listen, --require-token, --token-authority and --http-max-request-mb need --http-port");
        }

        BearerTokenRequirement? token = null;
        if (audience is not null || authority is not null)
        {
            if (audience is not { Length: > 0 }) throw arguments.Error("--token-authority goes with --require-token AUDIENCE");
            if (!Uri.TryCreate(authority, UriKind.Absolute, out var issuer) || (issuer.Scheme != Uri.UriSchemeHttps && !(issuer.Scheme == Uri.UriSchemeHttp && issuer.IsLoopback)))
            {
                throw arguments.Error("--require-token needs --token-authority URL, an https address (http only on loopback), e.g. https://login.microsoftonline.com/TENANT/v2.0");
            }

            token = new BearerTokenRequirement(issuer, audience);
        }

        var listen = arguments.Value("--http-listen") is not { } address ? (token is null ? IPAddress.Loopback : IPAddress.IPv6Any)
            : IPAddress.TryParse(address, out var parsed) ? parsed
            : throw arguments.Error("--http-listen must be an IPv4 or IPv6 address");
        if (token is null && !IPAddress.IsLoopback(listen))
        {
            throw arguments.Error($"--http-listen {listen} needs --require-token: without bearer tokens STOW-RS listens on loopback only");
        }

        return new StowServerOptions
        {
            Endpoint = new IPEndPoint(listen, port),
            RequiredToken = token,
            TlsCertificate = dicom.TlsCertificate,
            ClientCertificateAuthority = dicom.ClientCertificateAuthority,
            MaxRequestLength = arguments.PositiveInt("--http-max-request-mb", 4096) * 1024L * 1024,
            MaxConnections = dicom.MaxAssociations,
        };
    }

    private static ClientCertificateAuthority? LoadClientCertificateAuthority(VerbArguments arguments)
    {
        if (arguments.Value("--tls-client-ca") is not { } path) return null;
        try
        {
            return ClientCertificateAuthority.FromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CloudSetupException($"--tls-client-ca {path}: no certificate can be read from it ({e.GetType().Name}); it must be a PEM bundle of CA certificates");
        }
    }

    private static async Task<X509Certificate2?> LoadCertificateAsync(VerbArguments arguments, CancellationToken cancellationToken)
    {
        var certificate = arguments.Value("--tls-certificate");
        var key = arguments.Value("--tls-key");
        if (certificate is null)
        {
            return key is null ? null : throw arguments.Error("--tls-key goes with --tls-certificate");
        }

        if (certificate.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (key is not null) throw arguments.Error("--tls-key goes with a PEM file, not a Key Vault certificate");
            return await DownloadFromKeyVaultAsync(arguments, certificate, cancellationToken);
        }

        try
        {
            var loaded = key is not null
                ? X509Certificate2.CreateFromPemFile(certificate, key)
                : X509CertificateLoader.LoadPkcs12FromFile(certificate, Environment.GetEnvironmentVariable(TlsPasswordEnvironmentVariable));
            return loaded.HasPrivateKey ? loaded : throw new CloudSetupException($"--tls-certificate {certificate}: no private key (give --tls-key FILE or a PFX with its key)");
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new CloudSetupException($"--tls-certificate {certificate}: cannot be loaded ({e.GetType().Name}); PEM needs --tls-key FILE, a PFX its password in {TlsPasswordEnvironmentVariable}");
        }
    }

    /// <summary>The certificate with its private key (its secret, a PFX), as re-identification downloads its key.</summary>
    private static async Task<X509Certificate2> DownloadFromKeyVaultAsync(VerbArguments arguments, string uri, CancellationToken cancellationToken)
    {
        KeyVaultCertificateIdentifier identifier;
        try
        {
            identifier = new KeyVaultCertificateIdentifier(new Uri(uri));
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            throw arguments.Error("--tls-certificate as a URI must be a Key Vault certificate: https://VAULT.vault.azure.net/certificates/NAME[/VERSION]");
        }

        try
        {
            return await new KeyVaultDecryptionKeySource(identifier.VaultUri, identifier.Name, CloudCredential.Shared, identifier.Version)
                .GetDecryptionCertificateAsync(cancellationToken);
        }
        catch (CertificateUnavailableException e)
        {
            throw new CloudSetupException($"--tls-certificate: {e.Message}");
        }
    }
}
