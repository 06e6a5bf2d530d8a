using System.Net;
using System.Security.Authentication;
using CloudAnon.Network.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Network.Stow;

/// <summary>
/// The gateway's STOW-RS listener (PS3.18 10.5): Kestrel, from ASP.NET Core's slim builder, serving
/// <c>POST /studies</c> and <c>POST /studies/{study}</c>, over HTTPS when a certificate is given. Every request carries a
/// valid bearer token when <see cref="StowServerOptions.RequiredToken"/> is set; without it the listener refuses to bind
/// anywhere but loopback. <see cref="StopAsync"/> refuses new requests and lets those in flight finish.
/// </summary>
public sealed partial class StowServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILogger _logger;
    private readonly BearerTokenValidator? _tokens;

    /// <exception cref="ArgumentException">A non-loopback endpoint without a token requirement.</exception>
    public StowServer(StowServerOptions options, IInstanceStore store, ILogger logger, GatewayMetrics metrics)
    {
        if (options.RequiredToken is null && !IPAddress.IsLoopback(options.Endpoint.Address))
        {
            throw new ArgumentException(
                $"STOW-RS without bearer tokens listens on loopback only; {options.Endpoint.Address} needs a token requirement (--require-token).", nameof(options));
        }

        _logger = logger;
        _tokens = options.RequiredToken is { } requirement ? new BearerTokenValidator(requirement) : null;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestLength;
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Listen(options.Endpoint, listen =>
            {
                if (options.TlsCertificate is { } certificate)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
                        if (options.ClientCertificateAuthority is { } authority)
                        {
                            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                            https.ClientCertificateValidation = (presented, _, _) => authority.Accepts(presented);
                        }
                    });
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http1;
                }
            });
        });
        _app = builder.Build();
        if (_tokens is not null) _app.Use(RequireTokenAsync);
        var handler = new StowRequestHandler(store, options.MaxRequestLength, logger, metrics);
        _app.MapPost("/studies", handler.HandleAsync);
        _app.MapPost("/studies/{study}", handler.HandleAsync);
    }

    /// <summary>Where the listener listens (the port chosen when started on port 0).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    private async Task RequireTokenAsync(HttpContext context, RequestDelegate next)
    {
        if (await _tokens!.ValidateAsync(context.Request.Headers.Authorization, context.RequestAborted).ConfigureAwait(false) is { } failure)
        {
            LogUnauthorized(context.Connection.RemoteIpAddress, failure);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = failure == "missing-token" ? "Bearer" : "Bearer error=\"invalid_token\"";
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Refuses new connections; waits up to <paramref name="grace"/> for requests in flight, then drops them.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        using var timeout = new CancellationTokenSource(grace);
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "stow request from {Remote}: 401, {Failure}")]
    private partial void LogUnauthorized(IPAddress? remote, string failure);
}
