using System.Net;
using System.Net.Sockets;

namespace CloudAnon.TestSupport;

/// <summary>Loopback ports nothing listens on, for the servers the tests start (Azurite, Orthanc) or for a closed endpoint.</summary>
public static class LoopbackPorts
{
    /// <summary><paramref name="count"/> distinct free ports: all listeners are held at once, then released for the caller to bind.</summary>
    public static int[] Free(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}
