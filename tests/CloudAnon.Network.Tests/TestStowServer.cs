using CloudAnon.Network.Stow;
using CloudAnon.TestSupport;

namespace CloudAnon.Network.Tests;

/// <summary>A <see cref="StowServer"/> on a free loopback port with an in-memory store and a capturing logger.</summary>
internal sealed class TestStowServer : IAsyncDisposable
{
    private TestStowServer(StowServer server, MemoryInstanceStore store, CapturingLogger<StowServer> log, GatewayMetrics metrics)
    {
        Server = server;
        Store = store;
        Log = log;
        Metrics = metrics;
    }

    public StowServer Server { get; }
    public MemoryInstanceStore Store { get; }
    public CapturingLogger<StowServer> Log { get; }
    public GatewayMetrics Metrics { get; }
    public Uri Studies => new(Server.BaseAddress, "studies");

    public static async Task<TestStowServer> StartAsync(StowServerOptions? options = null)
    {
        var store = new MemoryInstanceStore();
        var log = new CapturingLogger<StowServer>();
        var metrics = new GatewayMetrics();
        var server = new StowServer(options ?? new StowServerOptions(), store, log, metrics);
        await server.StartAsync();
        return new TestStowServer(server, store, log, metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Metrics.Dispose();
    }
}
