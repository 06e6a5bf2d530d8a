using System.Text;
using CloudAnon.TestSupport;

namespace CloudAnon.Network.Tests;

/// <summary>The acceptor's state machine driven byte by byte: negotiation, reassembly, C-STORE, timers, aborts.</summary>
public sealed class AssociationTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>An Explicit VR Little Endian data set: SOP Class, SOP Instance, Patient's Name.</summary>
    internal static byte[] DataSet(string sopInstance)
    {
        var bytes = new List<byte>();
        void Element(ushort group, ushort element, string vr, string value)
        {
            var text = Encoding.ASCII.GetBytes(value.Length % 2 == 0 ? value : value + (vr == "UI" ? "\0" : " "));
            bytes.AddRange(BitConverter.GetBytes(group));
            bytes.AddRange(BitConverter.GetBytes(element));
            bytes.AddRange(Encoding.ASCII.GetBytes(vr));
            bytes.AddRange(BitConverter.GetBytes((ushort)text.Length));
            bytes.AddRange(text);
        }

        Element(0x0008, 0x0016, "UI", RawScu.CtImageStorage);
        Element(0x0008, 0x0018, "UI", sopInstance);
        Element(0x0010, 0x0010, "PN", "Raw^Sender");
        return [.. bytes];
    }

    private static async Task<RawScu> AssociateAsync(TestGateway gateway)
    {
        var scu = await RawScu.ConnectAsync(gateway.EndPoint);
        await scu.SendAsync(RawScu.AssociateRequest("CLOUDANON", "SCU", (1, RawScu.CtImageStorage, [RawScu.ExplicitLittleEndian])));
        Assert.Equal((byte)0x02, (await scu.ReceiveAsync(Wait))!.Value.Type);
        return scu;
    }

    [Fact]
    public async Task CStore_InFragments_IsCommittedWithFileMeta_ThenAnsweredSuccess()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);
        var command = RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.5");
        var dataSet = DataSet("1.2.3.4.5");

        // Command and data set each split over two PDVs, as a requester with a small maximum PDU does.
        await scu.SendAsync(RawScu.Data(1, command: true, last: false, command[..10]));
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, command[10..]));
        await scu.SendAsync(RawScu.Data(1, command: false, last: false, dataSet[..7]));
        await scu.SendAsync(RawScu.Data(1, command: false, last: true, dataSet[7..]));

        var response = (await scu.ReceiveAsync(Wait))!.Value;
        Assert.Equal(0x0000, RawScu.Status(response.Body));
        var stored = gateway.Store.Committed["1.2.3.4.5"];
        Assert.Equal("DICM", Encoding.ASCII.GetString(stored, 128, 4));
        Assert.Equal(dataSet, stored[^dataSet.Length..]);
        await scu.SendAsync(RawScu.ReleaseRequest());
        Assert.Equal((byte)0x06, (await scu.ReceiveAsync(Wait))!.Value.Type);
    }

    [Fact]
    public async Task AbortMidInstance_CommitsNothing()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);
        var dataSet = DataSet("1.2.3.4.6");
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.6")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: false, dataSet[..20]));
        await scu.SendAsync(RawScu.Abort());

        await gateway.WaitIdleAsync(Wait);
        Assert.Equal(1, gateway.Store.Begun);
        Assert.Empty(gateway.Store.Committed);
        Assert.Contains(gateway.Log.Entries, e => e.Message.Contains("aborted-by-sender", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MalformedDataSet_IsAnsweredC000_AndNothingCommitted()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);
        var dataSet = DataSet("1.2.3.4.7");
        dataSet[^12] = 0xFF; // the PN element's length: now longer than the data set
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.7")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: true, dataSet));

        Assert.Equal(0xC000, RawScu.Status((await scu.ReceiveAsync(Wait))!.Value.Body));
        Assert.Empty(gateway.Store.Committed);
    }

    [Fact]
    public async Task DataSetNamingAnotherInstance_IsRefused()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.8")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: true, DataSet("1.2.3.4.9")));

        Assert.Equal(0xC000, RawScu.Status((await scu.ReceiveAsync(Wait))!.Value.Body));
        Assert.Empty(gateway.Store.Committed);
    }

    [Fact]
    public async Task StorageUnavailable_IsAnsweredA700_AndAResendCompletes()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);
        var dataSet = DataSet("1.2.3.4.10");
        gateway.Store.Unavailable = true;
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.10")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: true, dataSet));
        Assert.Equal(0xA700, RawScu.Status((await scu.ReceiveAsync(Wait))!.Value.Body));
        Assert.Empty(gateway.Store.Committed);

        gateway.Store.Unavailable = false;
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.10")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: true, dataSet));
        Assert.Equal(0x0000, RawScu.Status((await scu.ReceiveAsync(Wait))!.Value.Body));
        Assert.Single(gateway.Store.Committed);
    }

    [Fact]
    public async Task CEcho_OnAVerificationContext_IsAnsweredSuccess()
    {
        await using var gateway = new TestGateway();
        await using var scu = await RawScu.ConnectAsync(gateway.EndPoint);
        await scu.SendAsync(RawScu.AssociateRequest("CLOUDANON", "SCU", (3, "1.2.840.10008.1.1", [RawScu.ImplicitLittleEndian])));
        Assert.Equal((byte)0x02, (await scu.ReceiveAsync(Wait))!.Value.Type);

        await scu.SendAsync(RawScu.Data(3, command: true, last: true, RawScu.CEchoRequest()));

        Assert.Equal(0x0000, RawScu.Status((await scu.ReceiveAsync(Wait))!.Value.Body));
    }

    [Fact]
    public async Task NoRequestWithinArtim_ClosesTheConnection()
    {
        await using var gateway = new TestGateway(new DicomServerOptions { ArtimTimeout = TimeSpan.FromSeconds(1) });
        await using var scu = await RawScu.ConnectAsync(gateway.EndPoint);

        var answer = await scu.ReceiveAsync(Wait);

        Assert.True(answer is null || answer.Value.Type == 0x07);
        await gateway.WaitIdleAsync(Wait);
    }

    [Fact]
    public async Task SilenceLongerThanTheIdleLimit_AbortsTheAssociation_AndAbandonsTheInstance()
    {
        await using var gateway = new TestGateway(new DicomServerOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        await using var scu = await AssociateAsync(gateway);
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.11")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: false, DataSet("1.2.3.4.11")));

        Assert.Equal((byte)0x07, (await scu.ReceiveAsync(Wait))!.Value.Type);
        await gateway.WaitIdleAsync(Wait);
        Assert.Empty(gateway.Store.Committed);
    }

    [Fact]
    public async Task PdvOfAContextNotAccepted_Aborts()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);

        await scu.SendAsync(RawScu.Data(5, command: true, last: true, RawScu.CEchoRequest()));

        var abort = (await scu.ReceiveAsync(Wait))!.Value;
        Assert.Equal((byte)0x07, abort.Type);
        Assert.Equal(2, abort.Body[2]); // source: service provider
    }

    [Fact]
    public async Task PduOverTheLimit_IsAbortedBeforeItsBodyIsRead()
    {
        await using var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);

        // Declares 4 GiB − 1: the gateway must answer from the header alone.
        await scu.SendAsync([0x04, 0, 0xFF, 0xFF, 0xFF, 0xFF]);

        Assert.Equal((byte)0x07, (await scu.ReceiveAsync(Wait))!.Value.Type);
    }

    [Fact]
    public async Task GracefulStop_FinishesTheInstanceInFlight_ThenRefusesConnections()
    {
        var gateway = new TestGateway();
        await using var scu = await AssociateAsync(gateway);
        var dataSet = DataSet("1.2.3.4.12");
        await scu.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.4.12")));
        await scu.SendAsync(RawScu.Data(1, command: false, last: false, dataSet[..30]));
        await Task.Delay(200);

        var stopping = gateway.Server.StopAsync(TimeSpan.FromSeconds(10));
        await scu.SendAsync(RawScu.Data(1, command: false, last: true, dataSet[30..]));

        Assert.Equal(0x0000, RawScu.Status((await scu.ReceiveAsync(Wait))!.Value.Body));
        Assert.Equal((byte)0x07, (await scu.ReceiveAsync(Wait))!.Value.Type);
        await stopping;
        Assert.Single(gateway.Store.Committed);
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => RawScu.ConnectAsync(gateway.EndPoint));
        await gateway.DisposeAsync();
    }
}
