using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudAnon.TestSupport;

/// <summary>
/// An HTTPS proxy (HTTP CONNECT) on 127.0.0.1 that tunnels one host name to a loopback endpoint and refuses every other
/// target. A process is pointed at it with HTTPS_PROXY, as a corporate proxy would be, so a vault named
/// <c>*.vault.azure.net</c> can be served locally; TLS stays end to end between the process and the server.
/// </summary>
public sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _hostName;
    private readonly IPEndPoint _target;
    private readonly Task _accepting;

    public ConnectProxy(string hostName, IPEndPoint target)
    {
        _hostName = hostName;
        _target = target;
        _listener.Start();
        _accepting = AcceptAllAsync();
    }

    public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Tunnels { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAllAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _ = TunnelAsync(client);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            var downstream = client.GetStream();
            var request = await ReadHeadAsync(downstream);
            var target = request.Split(' ') is ["CONNECT", var authority, ..] ? authority : "";
            if (!string.Equals(target, $"{_hostName}:443", StringComparison.OrdinalIgnoreCase))
            {
                await downstream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stopping.Token);
                return;
            }

            using var server = new TcpClient();
            await server.ConnectAsync(_target, _stopping.Token);
            Tunnels++;
            await downstream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), _stopping.Token);
            var upstream = server.GetStream();
            try
            {
                await Task.WhenAny(downstream.CopyToAsync(upstream, _stopping.Token), upstream.CopyToAsync(downstream, _stopping.Token));
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The request line and headers, up to the blank line (a CONNECT request has no body).</summary>
    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 8192
            && await stream.ReadAsync(buffer, _stopping.Token) == 1)
        {
            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }
}
