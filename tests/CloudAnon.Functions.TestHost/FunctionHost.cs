using System.Net;
using Azure.Storage.Blobs;
using CloudAnon.Functions.TestHost.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Host.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions.TestHost;

/// <summary>
/// The published function app, run the way the Functions host runs it, from Microsoft's parts: the WebJobs SDK with the
/// blob extension (its Event Grid webhook, host queue, retries and poison queue, configured from host.json) invokes the
/// real isolated worker process over the worker protocol (gRPC on 127.0.0.1). See docs/functions.md for what it proves.
/// </summary>
public sealed class FunctionHost : IAsyncDisposable
{
    /// <summary>The WebJobs name of the ingress trigger, as the webhook's <c>functionName</c> names it.</summary>
    public const string IngressFunction = "Host.Functions.DeidentifyIngressBlob";

    private readonly IHost _webJobs;
    private readonly WebApplication _grpc;
    private readonly WorkerProcess _worker;

    private FunctionHost(IHost webJobs, WebApplication grpc, WorkerProcess worker, HostLog log, HostJson hostJson, string hostId)
    {
        _webJobs = webJobs;
        _grpc = grpc;
        _worker = worker;
        Log = log;
        HostJson = hostJson;
        HostId = hostId;
    }

    public HostLog Log { get; }

    public HostJson HostJson { get; }

    /// <summary>The WebJobs host id: its blob-trigger queue is <c>azure-webjobs-blobtrigger-&lt;id&gt;</c>.</summary>
    public string HostId { get; }

    public EventGridWebhook Webhook => _webJobs.Services.GetRequiredService<EventGridWebhook>();

    public WorkerChannel Worker => _webJobs.Services.GetRequiredService<WorkerChannel>();

    /// <summary>The worker's process id, for measuring what it uses.</summary>
    public int WorkerProcessId => _worker.Id;

    public static async Task<FunctionHost> StartAsync(FunctionHostOptions options, CancellationToken cancellationToken = default)
    {
        var appDirectory = Path.GetFullPath(options.AppDirectory);
        var hostJson = HostJson.Load(options.HostJsonPath ?? Path.Combine(appDirectory, "host.json"));
        var hostId = $"cloudanon-{Guid.NewGuid():N}"[..32];
        var log = new HostLog();
        var webJobs = BuildWebJobsHost(options, appDirectory, hostJson, hostId, log);
        var channel = webJobs.Services.GetRequiredService<WorkerChannel>();
        var grpc = await StartGrpcAsync(channel, cancellationToken).ConfigureAwait(false);
        var console = webJobs.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Host.Function.Console");
        var worker = WorkerProcess.Start(appDirectory, options.AssemblyName, new Uri(grpc.Urls.Single()), options.Settings, console);
        var host = new FunctionHost(webJobs, grpc, worker, log, hostJson, hostId);
        try
        {
            await WaitUntilLoadedAsync(channel, worker, log, options.StartTimeout, cancellationToken).ConfigureAwait(false);
            await webJobs.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            try
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception cleanup)
            {
                // A host that never started can fail to stop; the start's failure is the one to report.
                throw new AggregateException(failure, cleanup);
            }

            throw;
        }

        return host;
    }

    /// <summary>Posts the BlobCreated event Event Grid would send for <paramref name="blob"/> to the ingress trigger's webhook.</summary>
    public Task<HttpStatusCode> PostBlobCreatedAsync(BlobClient blob, CancellationToken cancellationToken = default) =>
        Webhook.PostBlobCreatedAsync(IngressFunction, blob, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _webJobs.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _webJobs.Dispose();
            await _worker.DisposeAsync().ConfigureAwait(false);
            await _grpc.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the worker to load its functions; fails at once, with its last log lines, when it exits or times out.</summary>
    private static async Task WaitUntilLoadedAsync(WorkerChannel channel, WorkerProcess worker, HostLog log, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var exited = worker.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(channel.Ready, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (first != channel.Ready)
        {
            var why = first == exited ? $"exited with code {await exited.ConfigureAwait(false)}" : $"did not load its functions within {timeout.TotalSeconds} s";
            throw new InvalidOperationException($"The worker {why}. Last log lines:{Environment.NewLine}" +
                string.Join(Environment.NewLine, log.Everything.TakeLast(30)));
        }

        await channel.Ready.ConfigureAwait(false);
    }

    private static IHost BuildWebJobsHost(FunctionHostOptions options, string appDirectory, HostJson hostJson, string hostId, HostLog log) =>
        new HostBuilder()
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(options.Settings))
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddConfiguration(hostJson.Logging);
                log.AddTo(logging);
            })
            .ConfigureWebJobs(webJobs =>
            {
                webJobs.UseHostId(hostId);
                webJobs.AddAzureStorageCoreServices();
                webJobs.AddAzureStorageBlobs(blobs =>
                {
                    blobs.MaxDegreeOfParallelism = hostJson.MaxDegreeOfParallelism ?? blobs.MaxDegreeOfParallelism;
                    blobs.PoisonBlobThreshold = hostJson.PoisonBlobThreshold ?? blobs.PoisonBlobThreshold;
                });
                webJobs.AddAzureStorageQueues(queues => hostJson.Queues.Bind(queues));
                options.ConfigureWebJobs?.Invoke(webJobs);
            })
            .ConfigureServices(services =>
            {
                services.AddSingleton<EventGridWebhook>();
#pragma warning disable CS0618 // see EventGridWebhook
                services.AddSingleton<IWebHookProvider>(sp => sp.GetRequiredService<EventGridWebhook>());
#pragma warning restore CS0618
                services.AddSingleton<ITypeLocator>(new FunctionTypes(options.FunctionTypes));
                services.AddSingleton(new WorkerChannelOptions(appDirectory));
                services.AddSingleton<WorkerChannel>();
            })
            .Build();

    /// <summary>The worker protocol endpoint: HTTP/2 without TLS on a free loopback port, no message size limits.</summary>
    private static async Task<WebApplication> StartGrpcAsync(WorkerChannel channel, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<WorkerChannel>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return app;
    }

    private sealed class FunctionTypes(IReadOnlyList<Type> types) : ITypeLocator
    {
        public IReadOnlyList<Type> GetTypes() => types;
    }
}
