using System.Buffers.Binary;
using CloudAnon.TestSupport;

namespace CloudAnon.Network.Tests;

/// <summary>
/// 500 mutated conversations (lengths, item and PDU types, truncations, flipped bytes) against one gateway: each ends in
/// an abort, a reject, a close or a proper answer, within a bound; the gateway keeps serving and its memory stays bounded.
/// </summary>
public sealed class MutatedPduTests
{
    private const int Mutations = 500;

    [Fact]
    public async Task FiveHundredMutatedPdus_AreAbortedOrRejected_WithoutCrashHangOrGrowth()
    {
        await using var gateway = new TestGateway(new DicomServerOptions { ArtimTimeout = TimeSpan.FromSeconds(2), IdleTimeout = TimeSpan.FromSeconds(2), MaxAssociations = 64 });
        var random = new Random(22);
        var valid = new[]
        {
            RawScu.AssociateRequest("CLOUDANON", "SCU", (1, RawScu.CtImageStorage, [RawScu.ExplicitLittleEndian]), (3, "1.2.840.10008.1.1", [RawScu.ImplicitLittleEndian])),
            RawScu.Data(1, command: true, last: true, RawScu.CStoreRequest(RawScu.CtImageStorage, "1.2.3.99")),
            RawScu.Data(1, command: false, last: true, AssociationTests.DataSet("1.2.3.99")),
            RawScu.ReleaseRequest(),
        };
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var answers = new Dictionary<string, int>();

        await Parallel.ForEachAsync(Enumerable.Range(0, Mutations), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var rng = new Random(22 * 1000 + i);
            int target = rng.Next(valid.Length);
            var conversation = valid.Select((pdu, index) => index == target ? Mutate(pdu, rng) : pdu).ToList();
            await using var scu = await RawScu.ConnectAsync(gateway.EndPoint);
            string outcome = "closed";
            try
            {
                foreach (var pdu in conversation)
                {
                    await scu.SendAsync(pdu);
                }
            }
            catch (IOException)
            {
                outcome = "closed-while-sending";
            }

            // Read until the gateway ends the conversation; every answer is a known PDU type.
            for (int answer = 0; answer < 8; answer++)
            {
                var received = await scu.ReceiveAsync(TimeSpan.FromSeconds(15));
                if (received is null) break;
                Assert.InRange(received.Value.Type, (byte)0x02, (byte)0x07);
                outcome = received.Value.Type switch { 0x03 => "rejected", 0x07 => "aborted", _ => outcome };
            }

            lock (answers) answers[outcome] = answers.GetValueOrDefault(outcome) + 1;
        });

        await gateway.WaitIdleAsync(TimeSpan.FromSeconds(30));
        GC.Collect();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.True(after - before < 32 * 1024 * 1024, $"managed memory grew by {(after - before) / 1024} KiB over {Mutations} conversations");
        Assert.True(answers.GetValueOrDefault("aborted") + answers.GetValueOrDefault("rejected") > Mutations / 2, string.Join(", ", answers));

        // Still serving: a clean C-ECHO afterwards.
        await using var echo = await RawScu.ConnectAsync(gateway.EndPoint);
        await echo.SendAsync(RawScu.AssociateRequest("CLOUDANON", "SCU", (1, "1.2.840.10008.1.1", [RawScu.ImplicitLittleEndian])));
        Assert.Equal((byte)0x02, (await echo.ReceiveAsync(TimeSpan.FromSeconds(10)))!.Value.Type);
        await echo.SendAsync(RawScu.Data(1, command: true, last: true, RawScu.CEchoRequest()));
        Assert.Equal(0x0000, RawScu.Status((await echo.ReceiveAsync(TimeSpan.FromSeconds(10)))!.Value.Body));
    }

    /// <summary>One of: a PDU length changed, an inner length changed, an item or PDU type changed, a truncation, flipped bytes.</summary>
    private static byte[] Mutate(byte[] pdu, Random random)
    {
        var bytes = (byte[])pdu.Clone();
        switch (random.Next(6))
        {
            case 0:
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), (uint)random.Next());
                break;
            case 1:
                int at = 6 + random.Next(Math.Max(1, bytes.Length - 8));
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(Math.Min(at, bytes.Length - 2)), (ushort)random.Next(65536));
                break;
            case 2:
                bytes[0] = (byte)random.Next(256);
                break;
            case 3:
                bytes[6 + random.Next(bytes.Length - 6)] = (byte)random.Next(256);
                break;
            case 4:
                return bytes[..random.Next(1, bytes.Length)];
            default:
                for (int i = 0; i < 4; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                break;
        }

        return bytes;
    }
}
