using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CloudAnon.Functions.HostTests;

/// <summary>
/// The managed identity endpoint Azure Functions gives an app (App Service protocol: <c>IDENTITY_ENDPOINT</c> and
/// <c>IDENTITY_HEADER</c>), on 127.0.0.1: it hands out one access token to callers that send the header. The worker's
/// DefaultAzureCredential finds it through those two variables, as it does in Azure.
/// </summary>
internal sealed class FakeManagedIdentityEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeManagedIdentityEndpoint(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public string Header { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public int TokensIssued { get; private set; }

    /// <summary>The worker's environment for this endpoint.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("IDENTITY_ENDPOINT", Endpoint.ToString()), new("IDENTITY_HEADER", Header)];

    public static async Task<FakeManagedIdentityEndpoint> StartAsync(string accessToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeManagedIdentityEndpoint? endpoint = null;
        app.Run(async context =>
        {
            if (context.Request.Headers["X-IDENTITY-HEADER"] != endpoint!.Header)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            endpoint.TokensIssued++;
            await context.Response.WriteAsJsonAsync(new Dictionary<string, string>
            {
                ["access_token"] = accessToken,
                ["expires_on"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["resource"] = context.Request.Query["resource"].ToString(),
                ["token_type"] = "Bearer",
            });
        });
        await app.StartAsync();
        endpoint = new FakeManagedIdentityEndpoint(app, new Uri(new Uri(app.Urls.Single()), "/msi/token"));
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
