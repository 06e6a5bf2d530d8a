using System.Runtime.InteropServices;
using CloudAnon.Azure.Gateway;
using CloudAnon.Azure.Ingress;
using CloudAnon.Network;
using CloudAnon.Network.Stow;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// <c>cloudanon gateway</c>: the DICOM and (with --http-port) STOW-RS listeners in front of the ingress container, until
/// interrupted. The protocols are CloudAnon.Network's; the landing is <see cref="IngressLanding"/>. See docs/gateway.md.
/// </summary>
public static class GatewayCommand
{
    /// <summary>How long a shutdown waits for instances in flight before aborting their associations.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var arguments = await GatewayArguments.ParseAsync(args, ShortRetries, cancellationToken);
        if (arguments.Help)
        {
            Console.Out.Write(GatewayArguments.Usage);
            return ExitCodes.Success;
        }

        var faults = new CloudFaults(arguments.Storage);
        var ingress = arguments.Storage.Blobs.GetBlobContainerClient(arguments.Ingress);
        try
        {
            await ingress.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (faults.Describe(e) is { } fault)
        {
            await Console.Error.WriteLineAsync($"cloudanon gateway: {fault}");
            return ExitCodes.SomeFilesFailed;
        }

        // SIGTERM (systemd, containers) stops the gateway as Ctrl+C does: gracefully.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        // Created before the meter, so it sees the instruments; disposed after the servers, so it exports their last counts.
        using var telemetry = GatewayTelemetry.Start(arguments.Storage.Credential);
        using var metrics = new GatewayMetrics();
        var landing = new IngressLanding(ingress, IngressProcessorOptions.DeriveBlobNameHashKey(arguments.MappingKey));
        var logger = new StandardErrorLogger<DicomServer>(LogLevel.Information);
        await using var server = new DicomServer(arguments.Dicom, landing, logger, metrics);
        server.Start(arguments.DicomEndpoint);
        await using var stow = arguments.Stow is { } stowOptions ? new StowServer(stowOptions, landing, new StandardErrorLogger<StowServer>(LogLevel.Information), metrics) : null;
        if (stow is not null)
        {
            await stow.StartAsync(cancellationToken);
            await Console.Error.WriteLineAsync($"cloudanon gateway: STOW-RS at {stow.BaseAddress}studies, {(arguments.Stow!.RequiredToken is null ? "no token (loopback only)" : "bearer token required")}");
        }

        await Console.Error.WriteLineAsync(
            $"cloudanon gateway: DICOM on port {server.LocalEndPoint.Port}{(arguments.Dicom.TlsCertificate is null ? "" : " (TLS)")}, " +
            $"called AE {arguments.Dicom.AeTitle}, {(arguments.Dicom.CallingAes.Count == 0 ? "loopback senders only" : $"{arguments.Dicom.CallingAes.Count} allowed senders")}, " +
            GatewayTelemetry.Describe());
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"cloudanon gateway: stopping; {server.ActiveAssociations} associations open, instances in flight are finished");
        }

        await Task.WhenAll(server.StopAsync(ShutdownGrace), stow?.StopAsync(ShutdownGrace) ?? Task.CompletedTask);
        await Console.Error.WriteLineAsync("cloudanon gateway: stopped");
        return ExitCodes.Success;
    }

    /// <summary>
    /// A sender waits for each C-STORE response, so the blob client gives up within seconds (two quick retries, 10 s per
    /// try) and the sender gets A700 and sends again later, instead of the SDK's minutes of back-off.
    /// </summary>
    private static void ShortRetries(global::Azure.Storage.Blobs.BlobClientOptions options)
    {
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
