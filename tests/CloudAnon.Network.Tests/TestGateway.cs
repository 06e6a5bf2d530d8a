using System.Net;
using CloudAnon.TestSupport;

namespace CloudAnon.Network.Tests;

/// <summary>A <see cref="DicomServer"/> on a free loopback port with an in-memory store and a capturing logger.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    public TestGateway(DicomServerOptions? options = null, MemoryInstanceStore? store = null)
    {
        Store = store ?? new MemoryInstanceStore();
        Server = new DicomServer(options ?? new DicomServerOptions(), Store, Log, Metrics);
        Server.Start(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public MemoryInstanceStore Store { get; }
    public CapturingLogger<DicomServer> Log { get; } = new();
    public GatewayMetrics Metrics { get; } = new();
    public DicomServer Server { get; }
    public IPEndPoint EndPoint => Server.LocalEndPoint;
    public string Port => EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until no association is open (the server has finished with every connection).</summary>
    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Server.ActiveAssociations > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Server.ActiveAssociations} associations still open after {timeout.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Metrics.Dispose();
    }
}
