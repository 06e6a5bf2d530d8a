using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CloudAnon.TestSupport;

/// <summary>
/// A requester written byte by byte from PS3.8, so tests can send what no real SCU would (mutated PDUs, an abort in the
/// middle of an instance) and read exactly what the gateway answers.
/// </summary>
public sealed class RawScu : IAsyncDisposable
{
    public const string ImplicitLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    private readonly TcpClient _client = new();

    public NetworkStream Stream { get; private set; } = null!;

    public static async Task<RawScu> ConnectAsync(IPEndPoint endpoint)
    {
        var scu = new RawScu();
        await scu._client.ConnectAsync(IPAddress.Loopback, endpoint.Port);
        scu.Stream = scu._client.GetStream();
        return scu;
    }

    /// <summary>An A-ASSOCIATE-RQ with one context per (id, abstract syntax, transfer syntaxes).</summary>
    public static byte[] AssociateRequest(string calledAe, string callingAe, params (byte Id, string AbstractSyntax, string[] TransferSyntaxes)[] contexts)
    {
        var body = new List<byte> { 0, 1, 0, 0 };
        body.AddRange(AeField(calledAe));
        body.AddRange(AeField(callingAe));
        body.AddRange(new byte[32]);
        body.AddRange(Item(0x10, Encoding.ASCII.GetBytes("1.2.840.10008.3.1.1.1")));
        foreach (var (id, abstractSyntax, syntaxes) in contexts)
        {
            var value = new List<byte> { id, 0, 0, 0 };
            value.AddRange(Item(0x30, Encoding.ASCII.GetBytes(abstractSyntax)));
            foreach (var syntax in syntaxes) value.AddRange(Item(0x40, Encoding.ASCII.GetBytes(syntax)));
            body.AddRange(Item(0x20, [.. value]));
        }

        var maxLength = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(maxLength, 16384);
        body.AddRange(Item(0x50, [.. Item(0x51, maxLength), .. Item(0x52, Encoding.ASCII.GetBytes("1.2.3.4"))]));
        return Pdu(0x01, [.. body]);
    }

    /// <summary>A P-DATA-TF with one PDV.</summary>
    public static byte[] Data(byte contextId, bool command, bool last, byte[] fragment)
    {
        var pdv = new byte[6 + fragment.Length];
        BinaryPrimitives.WriteUInt32BigEndian(pdv, (uint)fragment.Length + 2);
        pdv[4] = contextId;
        pdv[5] = (byte)((command ? 1 : 0) | (last ? 2 : 0));
        fragment.CopyTo(pdv, 6);
        return Pdu(0x04, pdv);
    }

    /// <summary>A command set (Implicit VR Little Endian, group length first) from (element, value) pairs of group 0000.</summary>
    public static byte[] Command(params (ushort Element, byte[] Value)[] elements)
    {
        var body = new List<byte>();
        foreach (var (element, value) in elements)
        {
            body.AddRange([0, 0, (byte)element, (byte)(element >> 8)]);
            body.AddRange(BitConverter.GetBytes((uint)value.Length));
            body.AddRange(value);
        }

        return [0, 0, 0, 0, 4, 0, 0, 0, .. BitConverter.GetBytes((uint)body.Count), .. body];
    }

    public static byte[] UInt16(ushort value) => BitConverter.GetBytes(value);

    public static byte[] Uid(string uid) => Encoding.ASCII.GetBytes(uid.Length % 2 == 0 ? uid : uid + "\0");

    public static byte[] CStoreRequest(string sopClass, string sopInstance) => Command(
        (0x0002, Uid(sopClass)), (0x0100, UInt16(0x0001)), (0x0110, UInt16(1)), (0x0700, UInt16(0)), (0x0800, UInt16(0)),
        (0x1000, Uid(sopInstance)));

    public static byte[] CEchoRequest() => Command((0x0002, Uid("1.2.840.10008.1.1")), (0x0100, UInt16(0x0030)), (0x0110, UInt16(7)), (0x0800, UInt16(0x0101)));

    public static byte[] ReleaseRequest() => Pdu(0x05, [0, 0, 0, 0]);

    public static byte[] Abort() => Pdu(0x07, [0, 0, 0, 0]);

    public async Task SendAsync(byte[] bytes) => await Stream.WriteAsync(bytes);

    /// <summary>The next PDU (type and body), or null when the gateway closed the connection.</summary>
    public async Task<(byte Type, byte[] Body)?> ReceiveAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var header = new byte[6];
        try
        {
            if (await Stream.ReadAtLeastAsync(header, 6, throwOnEndOfStream: false, cancel.Token) < 6) return null;
            var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
            await Stream.ReadExactlyAsync(body, cancel.Token);
            return (header[0], body);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>The DIMSE status of a response command PDU (its (0000,0900) element).</summary>
    public static ushort Status(byte[] dataBody)
    {
        var command = dataBody.AsSpan(6);
        for (int offset = 0; offset + 8 <= command.Length;)
        {
            ushort element = BinaryPrimitives.ReadUInt16LittleEndian(command[(offset + 2)..]);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(command[(offset + 4)..]);
            if (element == 0x0900) return BinaryPrimitives.ReadUInt16LittleEndian(command[(offset + 8)..]);
            offset += 8 + length;
        }

        throw new InvalidDataException("no status in the response");
    }

    /// <summary>
    /// Associates, sends one C-STORE of <paramref name="dataSet"/> (bytes in <paramref name="transferSyntax"/>) in PDVs of at
    /// most 16 KiB, releases, and returns the response status.
    /// </summary>
    public static async Task<ushort> StoreAsync(IPEndPoint endpoint, string calledAe, string sopClass, string sopInstance, string transferSyntax, byte[] dataSet)
    {
        await using var scu = await ConnectAsync(endpoint);
        var timeout = TimeSpan.FromSeconds(60);
        await scu.SendAsync(AssociateRequest(calledAe, "RAWSCU", (1, sopClass, [transferSyntax])));
        var accept = await scu.ReceiveAsync(timeout) ?? throw new InvalidDataException("no answer to the association request");
        if (accept.Type != 0x02) throw new InvalidDataException($"association answered with PDU type {accept.Type}");
        await scu.SendAsync(Data(1, command: true, last: true, CStoreRequest(sopClass, sopInstance)));
        for (int offset = 0; offset < dataSet.Length; offset += 16 * 1024)
        {
            int length = Math.Min(16 * 1024, dataSet.Length - offset);
            await scu.SendAsync(Data(1, command: false, last: offset + length == dataSet.Length, dataSet[offset..(offset + length)]));
        }

        var response = await scu.ReceiveAsync(timeout) ?? throw new InvalidDataException("no C-STORE response");
        await scu.SendAsync(ReleaseRequest());
        await scu.ReceiveAsync(timeout);
        return Status(response.Body);
    }

    public static byte[] Pdu(byte type, byte[] body)
    {
        var pdu = new byte[6 + body.Length];
        pdu[0] = type;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)body.Length);
        body.CopyTo(pdu, 6);
        return pdu;
    }

    private static byte[] AeField(string ae) => Encoding.ASCII.GetBytes(ae.PadRight(16));

    private static byte[] Item(byte type, byte[] value)
    {
        var item = new byte[4 + value.Length];
        item[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(item.AsSpan(2), (ushort)value.Length);
        value.CopyTo(item, 4);
        return item;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
