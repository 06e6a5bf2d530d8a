using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using CloudAnon.Network.Pdu;
using CloudAnon.Network.Storage;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Network;

/// <summary>
/// The gateway's DICOM listener: accepts TCP (or DICOM TLS) connections and runs an <see cref="Association"/> on each,
/// at most <see cref="DicomServerOptions.MaxAssociations"/> at once; a requester over the limit gets an A-ASSOCIATE-RJ
/// (transient, local limit exceeded). <see cref="StopAsync"/> refuses new connections, lets each association finish the
/// message in progress, then aborts what is left after the grace period.
/// </summary>
public sealed partial class DicomServer : IAsyncDisposable
{
    private readonly DicomServerOptions _options;
    private readonly IInstanceStore _store;
    private readonly ILogger _logger;
    private readonly GatewayMetrics _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextId;
    private int _active;

    public DicomServer(DicomServerOptions options, IInstanceStore store, ILogger logger, GatewayMetrics metrics)
    {
        if (options.MaxPduLength < DicomServerOptions.MinPduLength) throw new ArgumentOutOfRangeException(nameof(options), $"MaxPduLength must be at least {DicomServerOptions.MinPduLength}.");
        if (options.MaxAssociations < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAssociations must be at least 1.");
        _options = options;
        _store = store;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Where the listener listens (the port chosen when started on port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener ?? throw new InvalidOperationException("The server is not started.")).LocalEndpoint;

    /// <summary>Associations open now.</summary>
    public int ActiveAssociations => Volatile.Read(ref _active);

    public void Start(IPEndPoint endpoint)
    {
        _listener = new TcpListener(endpoint);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any)) _listener.Server.DualMode = true;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || (e is SocketException && _stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            socket.NoDelay = true;
            long id = Interlocked.Increment(ref _nextId);
            bool overLimit = Interlocked.Increment(ref _active) > _options.MaxAssociations;
            var connection = RunConnectionAsync(id, socket, overLimit);
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out Task? _), TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(long id, Socket socket, bool overLimit)
    {
        await Task.Yield();
        var remote = ((IPEndPoint)socket.RemoteEndPoint!).Address is { IsIPv4MappedToIPv6: true } mapped ? ((IPEndPoint)socket.RemoteEndPoint!).Address.MapToIPv4() : ((IPEndPoint)socket.RemoteEndPoint!).Address;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_options.TlsCertificate is { } certificate)
            {
                stream = await HandshakeAsync(stream, certificate).ConfigureAwait(false);
            }

            using var association = new Association(id, stream, remote, overLimit, _options, _store, _logger, _metrics);
            await association.RunAsync(_stopping.Token, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            LogTlsFailed(id, remote, e.GetType().Name);
            _metrics.RecordAssociation("tls-handshake-failed");
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>DICOM TLS (PS3.15 B.1): TLS 1.2 or 1.3, within ARTIM; client certificates checked when required.</summary>
    private async Task<Stream> HandshakeAsync(Stream stream, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        handshake.CancelAfter(_options.ArtimTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = _options.RequireClientCertificate || _options.ClientCertificateAuthority is not null,
                RemoteCertificateValidationCallback = _options.ClientCertificateAuthority is { } authority ? (_, presented, _, _) => authority.Accepts(presented) : null,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, handshake.Token).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Refuses new connections; waits up to <paramref name="grace"/> for messages in progress, then aborts the rest.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        await _acceptLoop.ConfigureAwait(false);
        var all = Task.WhenAll(_connections.Values);
        if (await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false) != all)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _stopping.Dispose();
        _abort.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "association {Id} from {Remote}: TLS handshake failed ({Error})")]
    private partial void LogTlsFailed(long id, IPAddress remote, string error);
}
