using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CloudAnon.TestSupport;

/// <summary>One request as the fake vault saw it.</summary>
public sealed record VaultRequest(string Method, string Path, bool Authorized);

/// <summary>
/// A Key Vault stand-in for tests: Kestrel over HTTPS on 127.0.0.1 (ephemeral port, self-signed TLS certificate made at
/// run time) answering the REST calls the real Azure SDK makes for certificates and their secrets. It runs the bearer
/// challenge (401 + WWW-Authenticate) and accepts only its own <see cref="AccessToken"/>, records every request, holds
/// certificate versions (add one to simulate a rotation), and can answer 503 (<see cref="Unavailable"/>) or stop
/// listening (<see cref="StopAsync"/>) to simulate an outage.
/// </summary>
public sealed class FakeKeyVaultServer : IAsyncDisposable
{
    private const string Challenge =
        "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<VaultRequest> _requests = new();
    private readonly Lock _versionsLock = new();
    private readonly Dictionary<string, List<StoredVersion>> _versions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, PlainSecret> _plainSecrets = new(StringComparer.OrdinalIgnoreCase);
    private bool _stopped;

    private FakeKeyVaultServer(WebApplication app, X509Certificate2 tlsCertificate)
    {
        _app = app;
        TlsCertificate = tlsCertificate;
    }

    /// <summary>The only bearer token the vault accepts; random per server.</summary>
    public string AccessToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public X509Certificate2 TlsCertificate { get; }

    public Uri VaultUri { get; private set; } = null!;

    /// <summary>Where the server listens (the same as <see cref="VaultUri"/> unless a vault host name was given).</summary>
    public IPEndPoint LoopbackEndpoint { get; private set; } = null!;

    /// <summary>While true, every request is answered 503 Service Unavailable.</summary>
    public bool Unavailable { get; set; }

    /// <summary>While true, authenticated requests are answered 200 with an HTML page, as by a wrong endpoint or a captive portal.</summary>
    public bool AnswersNotJson { get; set; }

    public IReadOnlyList<VaultRequest> Requests => _requests.ToArray();

    /// <param name="vaultHostName">
    /// A vault name such as <c>name.vault.azure.net</c>: the TLS certificate names it and <see cref="VaultUri"/> is
    /// <c>https://{name}/</c>, so clients with default options (which check that the challenge's resource matches the
    /// vault's domain) accept the vault; they reach it through a proxy to <see cref="LoopbackEndpoint"/>. Null: the vault
    /// is <c>https://127.0.0.1:{port}/</c>, for clients that skip that check.
    /// </param>
    public static async Task<FakeKeyVaultServer> StartAsync(string? vaultHostName = null, CancellationToken cancellationToken = default)
    {
        X509Certificate2 tlsCertificate = TestCertificates.CreateLoopbackTlsCertificate(vaultHostName);
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(tlsCertificate)));
        WebApplication app = builder.Build();
        var server = new FakeKeyVaultServer(app, tlsCertificate);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        server.LoopbackEndpoint = new IPEndPoint(IPAddress.Loopback, new Uri(app.Urls.Single()).Port);
        server.VaultUri = new Uri(vaultHostName is null ? $"https://127.0.0.1:{server.LoopbackEndpoint.Port}/" : $"https://{vaultHostName}/");
        return server;
    }

    /// <summary>Stores a new latest version of <paramref name="name"/> (the certificate must carry its private key); returns the version id.</summary>
    public string AddCertificateVersion(string name, X509Certificate2 certificateWithPrivateKey)
    {
        if (!certificateWithPrivateKey.HasPrivateKey)
        {
            throw new ArgumentException("The vault stores the certificate with its private key.", nameof(certificateWithPrivateKey));
        }

        var version = new StoredVersion(
            Guid.NewGuid().ToString("N"),
            certificateWithPrivateKey.RawData,
            certificateWithPrivateKey.Export(X509ContentType.Pkcs12),
            certificateWithPrivateKey.GetCertHash(),
            DateTimeOffset.UtcNow);
        lock (_versionsLock)
        {
            if (!_versions.TryGetValue(name, out List<StoredVersion>? versions))
            {
                _versions[name] = versions = [];
            }

            versions.Add(version);
        }

        return version.Id;
    }

    /// <summary>Stores a plain secret (not a certificate's), such as the mapping key, as its only version.</summary>
    public void SetSecret(string name, string value) => _plainSecrets[name] = new PlainSecret(Guid.NewGuid().ToString("N"), value, DateTimeOffset.UtcNow);

    /// <summary>Authenticated requests whose path starts with <paramref name="pathPrefix"/> (e.g. "/secrets/").</summary>
    public int CountAuthorizedRequests(string pathPrefix) =>
        _requests.Count(r => r.Authorized && r.Path.StartsWith(pathPrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>A credential that yields this vault's token.</summary>
    public StaticTokenCredential CreateCredential() => new(AccessToken);

    /// <summary>
    /// A real <see cref="CertificateClient"/> for this vault: trusts exactly this server's TLS certificate, skips the
    /// challenge resource check (the vault is not on vault.azure.net) and retries once, quickly.
    /// </summary>
    public CertificateClient CreateCertificateClient(TokenCredential? credential = null) =>
        new(VaultUri, credential ?? CreateCredential(), ForThisVault(new CertificateClientOptions { DisableChallengeResourceVerification = true }));

    /// <summary>A real <see cref="SecretClient"/> for this vault, set up as <see cref="CreateCertificateClient"/> is.</summary>
    public SecretClient CreateSecretClient() =>
        new(VaultUri, CreateCredential(), ForThisVault(new SecretClientOptions { DisableChallengeResourceVerification = true }));

    private TOptions ForThisVault<TOptions>(TOptions options) where TOptions : ClientOptions
    {
        byte[] trustedCertificate = TlsCertificate.RawData;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.RawData.AsSpan().SequenceEqual(trustedCertificate),
        };
        options.Transport = new HttpClientTransport(handler);
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return options;
    }

    /// <summary>Stops listening: from now on connections are refused, as with an unreachable vault.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        TlsCertificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        bool authorized = request.Headers.Authorization == $"Bearer {AccessToken}";
        _requests.Enqueue(new VaultRequest(request.Method, request.Path.Value ?? "", authorized));

        if (Unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (!authorized)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = Challenge;
            await WriteErrorAsync(context, "Unauthorized", "AKV10000: Request is missing a valid Bearer token.").ConfigureAwait(false);
            return;
        }

        if (AnswersNotJson)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Sign in to continue</body></html>").ConfigureAwait(false);
            return;
        }

        // /certificates/{name}[/{version}] and /secrets/{name}[/{version}]; a trailing slash means "latest".
        string[] segments = (request.Path.Value ?? "").Trim('/').Split('/');
        string? version = segments.Length > 2 && segments[2].Length > 0 ? segments[2] : null;
        StoredVersion? stored = request.Method == HttpMethods.Get && segments.Length is 2 or 3 ? Find(segments[1], version) : null;
        object? body = (segments[0], stored) switch
        {
            ("certificates", not null) => CertificateJson(segments[1], stored),
            ("secrets", not null) => SecretJson(segments[1], stored),
            ("secrets", null) when request.Method == HttpMethods.Get && _plainSecrets.TryGetValue(segments[1], out PlainSecret? plain) => PlainSecretJson(segments[1], plain),
            _ => null,
        };

        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await WriteErrorAsync(context, segments[0] == "secrets" ? "SecretNotFound" : "CertificateNotFound", "Not found.").ConfigureAwait(false);
            return;
        }

        await context.Response.WriteAsJsonAsync(body).ConfigureAwait(false);
    }

    private StoredVersion? Find(string name, string? version)
    {
        lock (_versionsLock)
        {
            if (!_versions.TryGetValue(name, out List<StoredVersion>? versions) || versions.Count == 0)
            {
                return null;
            }

            return version is null ? versions[^1] : versions.Find(v => v.Id == version);
        }
    }

    private object CertificateJson(string name, StoredVersion stored) => new Dictionary<string, object>
    {
        ["id"] = ObjectId("certificates", name, stored.Id),
        ["kid"] = ObjectId("keys", name, stored.Id),
        ["sid"] = ObjectId("secrets", name, stored.Id),
        ["x5t"] = Base64Url(stored.Sha1Thumbprint),
        ["cer"] = Convert.ToBase64String(stored.Cer),
        ["attributes"] = Attributes(stored),
        ["policy"] = new Dictionary<string, object>
        {
            ["id"] = $"{VaultUri}certificates/{name}/policy",
            ["key_props"] = new Dictionary<string, object> { ["exportable"] = true, ["kty"] = "RSA", ["key_size"] = 2048, ["reuse_key"] = false },
            ["secret_props"] = new Dictionary<string, object> { ["contentType"] = "application/x-pkcs12" },
            ["issuer"] = new Dictionary<string, object> { ["name"] = "Self" },
            ["attributes"] = Attributes(stored),
        },
    };

    private object SecretJson(string name, StoredVersion stored) => new Dictionary<string, object>
    {
        ["value"] = Convert.ToBase64String(stored.Pfx),
        ["contentType"] = "application/x-pkcs12",
        ["id"] = ObjectId("secrets", name, stored.Id),
        ["kid"] = ObjectId("keys", name, stored.Id),
        ["managed"] = true,
        ["attributes"] = Attributes(stored),
    };

    private object PlainSecretJson(string name, PlainSecret secret) => new Dictionary<string, object>
    {
        ["value"] = secret.Value,
        ["id"] = ObjectId("secrets", name, secret.Id),
        ["attributes"] = Attributes(secret.Created),
    };

    private static Dictionary<string, object> Attributes(StoredVersion stored) => Attributes(stored.Created);

    private static Dictionary<string, object> Attributes(DateTimeOffset created) => new()
    {
        ["enabled"] = true,
        ["created"] = created.ToUnixTimeSeconds(),
        ["updated"] = created.ToUnixTimeSeconds(),
        ["recoveryLevel"] = "Recoverable+Purgeable",
    };

    private string ObjectId(string collection, string name, string version) => $"{VaultUri}{collection}/{name}/{version}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Task WriteErrorAsync(HttpContext context, string code, string message) =>
        context.Response.WriteAsJsonAsync(new { error = new { code, message } });

    private sealed record PlainSecret(string Id, string Value, DateTimeOffset Created);

    private sealed record StoredVersion(string Id, byte[] Cer, byte[] Pfx, byte[] Sha1Thumbprint, DateTimeOffset Created);
}
