using System.Security.Cryptography;
using System.Text.Json;
using CloudAnon.Network.Stow;
using CloudAnon.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CloudAnon.Network.Tests;

/// <summary>
/// STOW-RS with --require-token: bearer tokens signed by a key generated here and published by a local OpenID
/// configuration endpoint, as an Entra ID tenant publishes its own; and HTTPS with curl.
/// </summary>
public sealed class StowTokenTests
{
    private const string Audience = "api://cloudanon-gateway-test";
    private static readonly CorpusFile Mr = Corpus.Get("ts/explicit_le/MR_small.dcm");

    [Fact]
    public async Task OnlyAValidToken_FromTheIssuer_ForTheAudience_IsAccepted()
    {
        using var signingKey = RSA.Create(2048);
        using var otherKey = RSA.Create(2048);
        await using var issuer = await LocalIssuer.StartAsync(signingKey);
        await using var stow = await TestStowServer.StartAsync(new StowServerOptions { RequiredToken = new BearerTokenRequirement(issuer.Authority, Audience) });
        var body = StowRequest.Body([await File.ReadAllBytesAsync(Mr.FullPath)]);
        StowRequest.Answer Post(params string[] headers) => StowRequest.Curl(stow.Studies, body, StowRequest.ContentType, headers);
        string Bearer(string token) => $"Authorization: Bearer {token}";

        Assert.Equal(401, Post().Status);
        Assert.Equal(401, Post("-H", "Authorization: Bearer not-a-jwt").Status);
        Assert.Equal(401, Post("-H", Bearer(issuer.Token(Audience, otherKey))).Status);
        Assert.Equal(401, Post("-H", Bearer(issuer.Token("api://someone-else", signingKey))).Status);
        Assert.Equal(401, Post("-H", Bearer(issuer.Token(Audience, signingKey, expires: DateTime.UtcNow.AddMinutes(-10)))).Status);
        Assert.Equal(401, Post("-H", Bearer(issuer.Token(Audience, signingKey, issuerName: "https://login.example/other-tenant/v2.0"))).Status);
        Assert.Empty(stow.Store.Committed);
        Assert.Equal(0, stow.Store.Begun);

        Assert.Equal(200, Post("-H", Bearer(issuer.Token(Audience, signingKey))).Status);
        Assert.Single(stow.Store.Committed);
        Assert.Contains(stow.Log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("401, invalid-token", StringComparison.Ordinal));
        Assert.Contains(stow.Log.Entries, e => e.Message.Contains("401, missing-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Https_WithTheTlsCertificate_IsServedToCurl()
    {
        using var certificate = TestCertificates.CreateLoopbackTlsCertificate();
        await using var stow = await TestStowServer.StartAsync(new StowServerOptions { TlsCertificate = certificate });
        var directory = Directory.CreateTempSubdirectory("cloudanon-stow-tls-");
        try
        {
            var trusted = Path.Combine(directory.FullName, "gateway.pem");
            await File.WriteAllTextAsync(trusted, certificate.ExportCertificatePem());
            Assert.Equal("https", stow.Studies.Scheme);

            var answer = StowRequest.Curl(stow.Studies, StowRequest.Body([await File.ReadAllBytesAsync(Mr.FullPath)]), StowRequest.ContentType, "--cacert", trusted);

            Assert.Equal(200, answer.Status);
            Assert.Single(stow.Store.Committed);
            // Plain HTTP to the HTTPS port gets no STOW-RS answer.
            Assert.ThrowsAny<Exception>(() => StowRequest.Curl(new UriBuilder(stow.Studies) { Scheme = "http" }.Uri, [], StowRequest.ContentType, "--max-time", "5"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>An OpenID Connect issuer on loopback: its configuration document and its JSON Web Key Set, one RSA key.</summary>
    private sealed class LocalIssuer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LocalIssuer(WebApplication app, Uri authority)
        {
            _app = app;
            Authority = authority;
        }

        public Uri Authority { get; }

        public static async Task<LocalIssuer> StartAsync(RSA key)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var parameters = key.ExportParameters(includePrivateParameters: false);
            app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
            {
                var self = $"{context.Request.Scheme}://{context.Request.Host}";
                return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["issuer"] = self, ["jwks_uri"] = self + "/keys" }));
            });
            app.MapGet("/keys", (HttpContext context) => context.Response.WriteAsync(
                $$"""{"keys":[{"kty":"RSA","use":"sig","kid":"test-key","alg":"RS256","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}"""));
            await app.StartAsync();
            return new LocalIssuer(app, new Uri(app.Urls.First()));
        }

        /// <summary>A token as the issuer signs it (or as a forger with another key, audience, issuer or lifetime would).</summary>
        public string Token(string audience, RSA key, DateTime? expires = null, string? issuerName = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuerName ?? Authority.AbsoluteUri.TrimEnd('/'),
            Audience = audience,
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            IssuedAt = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
