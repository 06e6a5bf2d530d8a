using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using CloudAnon.Network;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Gateway;

/// <summary>Storage that stops answering in the middle of an association: A700 within seconds, nothing half-written, a resend completes.</summary>
public sealed class GatewayStorageFaultTests
{
    [Fact]
    public async Task StorageStoppedMidAssociation_AnswersA700_ThenAResendCompletes()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        await using var relay = new StorageRelay(new IPEndPoint(IPAddress.Loopback, azurite.BlobEndpoint.Port));
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        var direct = await azurite.CreateBlobContainerAsync("gatewayfault");
        var viaRelay = new BlobServiceClient(
            azurite.ConnectionString.Replace($":{azurite.BlobEndpoint.Port}/", $":{relay.Port}/", StringComparison.Ordinal), options)
            .GetBlobContainerClient(direct.Name);
        await using var gateway = await GatewayHarness.StartAsync(ingress: viaRelay);
        var files = new[] { Corpus.Get("ts/explicit_le/MR_small.dcm"), Corpus.Get("modality/CT/CT_small_GE.dcm") };
        var instances = new List<(string SopClass, string SopInstance, byte[] DataSet)>();
        foreach (var file in files)
        {
            var (sopClass, sopInstance) = (await GatewayHarness.IdentityAsync(file.FullPath))!.Value;
            instances.Add((sopClass, sopInstance, GatewayHarness.DataSetOf(await File.ReadAllBytesAsync(file.FullPath)).ToArray()));
        }

        await using var scu = await RawScu.ConnectAsync(gateway.Server.LocalEndPoint);
        await scu.SendAsync(RawScu.AssociateRequest("CLOUDANON", "SCU",
            (1, instances[0].SopClass, [RawScu.ExplicitLittleEndian]), (3, instances[1].SopClass, [RawScu.ExplicitLittleEndian])));
        Assert.Equal((byte)0x02, (await scu.ReceiveAsync(TimeSpan.FromSeconds(10)))!.Value.Type);
        async Task<ushort> StoreAsync(int index)
        {
            var (sopClass, sopInstance, dataSet) = instances[index];
            byte context = (byte)(1 + 2 * index);
            await scu.SendAsync(RawScu.Data(context, command: true, last: true, RawScu.CStoreRequest(sopClass, sopInstance)));
            await scu.SendAsync(RawScu.Data(context, command: false, last: true, dataSet));
            return RawScu.Status((await scu.ReceiveAsync(TimeSpan.FromSeconds(60)))!.Value.Body);
        }

        // One association: the first instance lands; storage stops; the second is refused within seconds.
        Assert.Equal(0x0000, await StoreAsync(0));
        relay.Stop();
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0xA700, await StoreAsync(1));
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(20), $"the sender waited {stopped.Elapsed.TotalSeconds:F0} s for A700");
        var whileDown = new List<string>();
        await foreach (var blob in direct.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, null, default)) whileDown.Add(blob.Name);

        // Storage back: the resend, in the same association, completes; nothing was half-written meanwhile.
        relay.Start();
        Assert.Equal(0x0000, await StoreAsync(1));
        var landed = new List<string>();
        await foreach (var blob in direct.GetBlobsAsync()) landed.Add(blob.Name);
        Assert.Equal([gateway.BlobName(instances[0].SopInstance)], whileDown.Where(name => name != gateway.BlobName(instances[1].SopInstance)));
        Assert.Equal(new[] { gateway.BlobName(instances[0].SopInstance), gateway.BlobName(instances[1].SopInstance) }.Order(), landed.Order());
        var second = (await direct.GetBlobClient(gateway.BlobName(instances[1].SopInstance)).DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(instances[1].DataSet, GatewayHarness.DataSetOf(second).ToArray());
        Assert.Contains(gateway.Log.Entries, e => e.Message.Contains("storage-unavailable", StringComparison.Ordinal));
    }

    /// <summary>A TCP relay to the blob endpoint that can be stopped (connections cut, new ones refused) and started again.</summary>
    private sealed class StorageRelay : IAsyncDisposable
    {
        private readonly IPEndPoint _target;
        private readonly List<Socket> _open = [];
        private TcpListener _listener;
        private CancellationTokenSource _running = new();

        public StorageRelay(IPEndPoint target)
        {
            _target = target;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptAsync(_listener, _running.Token);
        }

        public int Port { get; }

        public void Stop()
        {
            _running.Cancel();
            _listener.Stop();
            lock (_open)
            {
                foreach (var socket in _open) socket.Dispose();
                _open.Clear();
            }
        }

        public void Start()
        {
            _running = new CancellationTokenSource();
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            _ = AcceptAsync(_listener, _running.Token);
        }

        private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptSocketAsync(cancellationToken);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await server.ConnectAsync(_target, cancellationToken);
                lock (_open)
                {
                    _open.Add(client);
                    _open.Add(server);
                }

                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }

        private static async Task PumpAsync(Socket from, Socket to)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer)) > 0) await to.SendAsync(buffer.AsMemory(0, read));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            from.Dispose();
            to.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Stop();
            return ValueTask.CompletedTask;
        }
    }
}
