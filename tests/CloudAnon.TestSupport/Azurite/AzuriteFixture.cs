using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace CloudAnon.TestSupport;

/// <summary>
/// Provides one Azurite per test process, independent of the test framework. It reuses an emulator already answering on
/// the default ports 10000–10002; otherwise it starts <c>node_modules/.bin/azurite</c> (installed by <c>npm ci</c> at the
/// repository root) on free loopback ports, in memory, and kills it when the test process exits.
/// </summary>
public static class AzuriteFixture
{
    public const int DefaultBlobPort = 10000;
    public const int DefaultQueuePort = 10001;
    public const int DefaultTablePort = 10002;

    /// <summary>Preloaded into Azurite's node process: exit when the test process's end of the stdin pipe closes, however it ended.</summary>
    private const string WatchdogScript = """
        process.stdin.on('end', () => process.exit(0));
        process.stdin.on('error', () => process.exit(0));
        process.stdin.resume();
        """;

    /// <summary>Azurite is ready in about 2 s on an idle machine, but took 10–17 s with the 2-core build machine at load 20+.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // A running Azurite on a loaded machine can take seconds to answer; a shorter probe starts a second one beside it.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private static readonly Lazy<Task<AzuriteInstance>> Instance = new(StartOrReuseAsync);

    private static readonly Lazy<Task<AzuriteInstance>> SecureInstance = new(StartSecureAsync);

    /// <summary>The shared emulator, started on first use.</summary>
    public static Task<AzuriteInstance> EnsureStartedAsync() => Instance.Value;

    /// <summary>
    /// A second shared emulator, as a deployed account is reached: HTTPS (a self-signed certificate made now, see
    /// <see cref="AzuriteInstance.TlsCertificate"/>) and <c>--oauth basic</c>, so bearer tokens are accepted beside the
    /// account key (see <see cref="AzuriteInstance.CreateStorageAccessToken"/> for what Azurite checks in them).
    /// </summary>
    public static Task<AzuriteInstance> EnsureSecureStartedAsync() => SecureInstance.Value;

    private static async Task<AzuriteInstance> StartOrReuseAsync()
    {
        var running = new AzuriteInstance(DefaultBlobPort, DefaultQueuePort, DefaultTablePort, processId: null);
        if (await AnswersAsync(running, [DefaultBlobPort, DefaultQueuePort, DefaultTablePort]).ConfigureAwait(false))
        {
            return running;
        }

        return await StartAsync(tlsCertificate: null).ConfigureAwait(false);
    }

    private static async Task<AzuriteInstance> StartSecureAsync()
    {
        var certificate = TestCertificates.CreateLoopbackTlsCertificate();
        var files = Directory.CreateTempSubdirectory("cloudanon-azurite-tls-").FullName;
        try
        {
            var certificatePath = Path.Combine(files, "cert.pem");
            var keyPath = Path.Combine(files, "key.pem");
            await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem()).ConfigureAwait(false);
            using (var key = certificate.GetRSAPrivateKey()!)
            {
                await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem()).ConfigureAwait(false);
            }

            return await StartAsync(certificate, "--oauth", "basic", "--cert", certificatePath, "--key", keyPath).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(files, recursive: true); // read once, at start-up
        }
    }

    private static async Task<AzuriteInstance> StartAsync(X509Certificate2? tlsCertificate, params string[] extraArguments)
    {
        var repositoryRoot = Corpus.RepositoryRoot;
        var executable = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed: run `npm ci` in {repositoryRoot} (it installs the version pinned in package.json).");
        }

        var ports = LoopbackPorts.Free(3);
        var watchdog = Path.Combine(Path.GetTempPath(), $"cloudanon-azurite-watchdog-{Environment.ProcessId}.js");
        await File.WriteAllTextAsync(watchdog, WatchdogScript).ConfigureAwait(false);
        try
        {
            var process = Launch(executable, repositoryRoot, watchdog, ports, extraArguments, out var output);
            var instance = new AzuriteInstance(ports[0], ports[1], ports[2], process.Id, tlsCertificate);
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < StartTimeout)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException(
                        $"Azurite exited with code {process.ExitCode} while starting:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
                }

                if (await AnswersAsync(instance, ports).ConfigureAwait(false))
                {
                    return instance;
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            Stop(process);
            throw new TimeoutException(
                $"Azurite did not answer within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
        }
        finally
        {
            File.Delete(watchdog); // node loads it at startup
        }
    }

    private static Process Launch(string executable, string repositoryRoot, string watchdog, int[] ports, string[] extraArguments, out ConcurrentQueue<string> output)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = repositoryRoot,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["NODE_OPTIONS"] = $"--require \"{watchdog}\"" },
        };
        string[] arguments =
        [
            "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
            "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
            "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
            .. extraArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Started directly, not through npx: the PID is node itself, so killing its tree frees the ports. The test host is
        // often killed rather than exited (then ProcessExit does not run), so the watchdog also stops Azurite when its stdin closes.
        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(process);
        var tail = output = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => KeepTail(tail, e.Data);
        process.ErrorDataReceived += (_, e) => KeepTail(tail, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>True when every port accepts a connection and the blob and table services answer a real, authenticated request.</summary>
    private static async Task<bool> AnswersAsync(AzuriteInstance instance, int[] ports)
    {
        foreach (var port in ports)
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                return false;
            }
        }

        try
        {
            var blobOptions = new BlobClientOptions();
            var tableOptions = new TableClientOptions();
            foreach (var retry in new[] { blobOptions.Retry, tableOptions.Retry })
            {
                retry.MaxRetries = 0;
                retry.NetworkTimeout = ProbeTimeout;
            }

            await instance.CreateBlobServiceClient(blobOptions).GetPropertiesAsync().ConfigureAwait(false);
            await instance.CreateTableServiceClient(tableOptions).GetPropertiesAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is Azure.RequestFailedException or OperationCanceledException or AggregateException)
        {
            // Something else on the port, or an Azurite that refuses the SDK's API version (started without --skipApiVersionCheck).
            return false;
        }
    }

    private static void KeepTail(ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 50 && output.TryDequeue(out _))
        {
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
