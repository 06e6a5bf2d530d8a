using System.Buffers.Binary;
using System.Net;
using System.Text;
using CloudAnon.Network.Stow;
using CloudAnon.TestSupport;

namespace CloudAnon.Network.Tests;

/// <summary>STOW-RS against an in-memory store: curl's requests, the PS3.18 answers, malformed bodies and a failing store.</summary>
public sealed class StowTests
{
    private static readonly CorpusFile Mr = Corpus.Get("ts/explicit_le/MR_small.dcm");
    private static readonly CorpusFile Ct = Corpus.Get("modality/CT/CT_small_GE.dcm");

    [Fact]
    public async Task TwoInstances_AreStoredWithTheirOwnFileMeta_AndReferenced()
    {
        await using var stow = await TestStowServer.StartAsync();
        var files = new[] { await File.ReadAllBytesAsync(Mr.FullPath), await File.ReadAllBytesAsync(Ct.FullPath) };

        var answer = StowRequest.Curl(stow.Studies, StowRequest.Body(files));

        Assert.Equal(200, answer.Status);
        Assert.Equal([SopInstanceOf(files[0]), SopInstanceOf(files[1])], answer.Referenced);
        Assert.Empty(answer.Failed);
        foreach (var file in files)
        {
            var landed = stow.Store.Committed[SopInstanceOf(file)];
            // Preamble zeroed; prefix, File Meta Information and data set exactly as sent.
            Assert.Equal(new byte[128], landed[..128]);
            Assert.Equal(file[128..], landed[128..]);
        }

        Assert.Contains(stow.Log.Entries, e => e.Message.Contains("200 stow-stored, 2 of 2 instances stored", StringComparison.Ordinal));
        Assert.Equal(2, stow.Log.Entries.Count(e => e.Message.Contains(": stored,", StringComparison.Ordinal) || e.Message.Contains(", stored,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Resend_IsASuccess_WithoutACopy()
    {
        await using var stow = await TestStowServer.StartAsync();
        var body = StowRequest.Body([await File.ReadAllBytesAsync(Mr.FullPath)]);

        Assert.Equal(200, StowRequest.Curl(stow.Studies, body).Status);
        Assert.Equal(200, StowRequest.Curl(stow.Studies, body).Status);

        Assert.Single(stow.Store.Committed);
        Assert.Contains(stow.Log.Entries, e => e.Message.Contains("already-stored", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StudyPath_OtherStudysInstance_FailsA900_AndTheMatchingOneIsStored()
    {
        await using var stow = await TestStowServer.StartAsync();
        var mr = await File.ReadAllBytesAsync(Mr.FullPath);
        var ct = await File.ReadAllBytesAsync(Ct.FullPath);
        var study = (await GatewayIdentity(Mr.FullPath)).Study;

        var answer = StowRequest.Curl(new Uri(stow.Studies, $"studies/{study}"), StowRequest.Body([mr, ct]));

        Assert.Equal(202, answer.Status);
        Assert.Equal([SopInstanceOf(mr)], answer.Referenced);
        Assert.Equal([(SopInstanceOf(ct), 0xA900)], answer.Failed);
        Assert.Equal([SopInstanceOf(mr)], stow.Store.Committed.Keys);
    }

    [Fact]
    public async Task UnreadablePart_FailsC000_NothingStored_409()
    {
        await using var stow = await TestStowServer.StartAsync();
        var mr = await File.ReadAllBytesAsync(Mr.FullPath);
        // The data set cut in the middle of an element: the File Meta Information reads, the data set does not.
        var cut = mr[..(mr.Length - 100)];
        var notDicom = Encoding.ASCII.GetBytes(new string('x', 500));

        var answer = StowRequest.Curl(stow.Studies, StowRequest.Body([cut, notDicom]));

        Assert.Equal(409, answer.Status);
        Assert.Equal([(SopInstanceOf(mr), 0xC000), (null, 0xC000)], answer.Failed);
        Assert.Empty(stow.Store.Committed);
    }

    [Fact]
    public async Task StorageDown_Answers503WithA700_AndTheRetrySucceeds()
    {
        await using var stow = await TestStowServer.StartAsync();
        var files = new[] { await File.ReadAllBytesAsync(Mr.FullPath), await File.ReadAllBytesAsync(Ct.FullPath) };
        var body = StowRequest.Body(files);
        stow.Store.Unavailable = true;

        var refused = StowRequest.Curl(stow.Studies, body);

        Assert.Equal(503, refused.Status);
        Assert.Equal(files.Select(f => ((string?)SopInstanceOf(f), 0xA700)), refused.Failed);
        Assert.Empty(stow.Store.Committed);
        stow.Store.Unavailable = false;
        Assert.Equal(200, StowRequest.Curl(stow.Studies, body).Status);
        Assert.Equal(2, stow.Store.Committed.Count);
    }

    public static TheoryData<string, string, int> MalformedRequests => new()
    {
        { "wrong media type", "application/dicom", 415 },
        { "no type parameter", $"multipart/related; boundary={StowRequest.Boundary}", 415 },
        { "another type parameter", $"multipart/related; type=\"application/dicom+json\"; boundary={StowRequest.Boundary}", 415 },
        { "no boundary", "multipart/related; type=\"application/dicom\"", 400 },
        { "wrong boundary", "multipart/related; type=\"application/dicom\"; boundary=not-the-one", 400 },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task MalformedContentType_IsRefused_NothingWritten(string _, string contentType, int status)
    {
        await using var stow = await TestStowServer.StartAsync();

        var answer = StowRequest.Curl(stow.Studies, StowRequest.Body([await File.ReadAllBytesAsync(Mr.FullPath)]), contentType);

        Assert.Equal(status, answer.Status);
        Assert.Equal(0, stow.Store.Begun);
    }

    [Fact]
    public async Task TruncatedBody_Is400_NothingWritten()
    {
        await using var stow = await TestStowServer.StartAsync();
        var body = StowRequest.Body([await File.ReadAllBytesAsync(Mr.FullPath)]);

        var answer = StowRequest.Curl(stow.Studies, body[..(body.Length / 2)]);

        Assert.Equal(400, answer.Status);
        Assert.Empty(stow.Store.Committed);
    }

    [Fact]
    public async Task OverTheRequestLimit_Is413_NothingWritten()
    {
        await using var stow = await TestStowServer.StartAsync(new StowServerOptions { MaxRequestLength = 16 * 1024 });
        var body = StowRequest.Body([await File.ReadAllBytesAsync(Ct.FullPath)]);
        Assert.True(body.Length > 16 * 1024);

        Assert.Equal(413, StowRequest.Curl(stow.Studies, body).Status);
        // Sent chunked, without a Content-Length to refuse up front: the limit cuts the body while it streams.
        Assert.Equal(413, StowRequest.Curl(stow.Studies, body, StowRequest.ContentType, "-H", "Transfer-Encoding: chunked").Status);
        Assert.Empty(stow.Store.Committed);
    }

    [Fact]
    public async Task PartDeclaringAHugeLength_Is413_NothingWritten()
    {
        await using var stow = await TestStowServer.StartAsync(new StowServerOptions { MaxRequestLength = 1024 * 1024 });
        var body = Encoding.ASCII.GetBytes($"--{StowRequest.Boundary}\r\nContent-Type: application/dicom\r\nContent-Length: 99999999999\r\n\r\n")
            .Concat(await File.ReadAllBytesAsync(Mr.FullPath)).Concat(Encoding.ASCII.GetBytes($"\r\n--{StowRequest.Boundary}--\r\n")).ToArray();

        Assert.Equal(413, StowRequest.Curl(stow.Studies, body).Status);
        Assert.Equal(0, stow.Store.Begun);
    }

    [Fact]
    public async Task MutatedBodies_AreAnsweredInTime_AndRefusedOnesWriteNothing()
    {
        await using var stow = await TestStowServer.StartAsync(new StowServerOptions { MaxRequestLength = 1024 * 1024 });
        var mr = await File.ReadAllBytesAsync(Mr.FullPath);
        var valid = StowRequest.Body([mr]);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var random = new Random(22);
        var statuses = new Dictionary<int, int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        for (int i = 0; i < 300 && DateTime.UtcNow < deadline; i++)
        {
            var body = Mutate(valid, random);
            int committedBefore = stow.Store.Committed.Count;
            using var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", StowRequest.ContentType);
            using var response = await client.PostAsync(stow.Studies, content);
            int status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.Contains(status, new[] { 200, 202, 400, 409, 413 });
            if (status is 400 or 409 or 413) Assert.Equal(committedBefore, stow.Store.Committed.Count);
            stow.Store.Committed.Clear();
        }

        // Still serving, and most mutations were refused rather than stored.
        using var valid200 = new ByteArrayContent(valid);
        valid200.Headers.TryAddWithoutValidation("Content-Type", StowRequest.ContentType);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync(stow.Studies, valid200)).StatusCode);
        Assert.True(statuses.GetValueOrDefault(400) + statuses.GetValueOrDefault(409) > 100, string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
    }

    [Fact]
    public async Task WithoutTokens_ANonLoopbackAddressIsRefused()
    {
        var options = new StowServerOptions { Endpoint = new IPEndPoint(IPAddress.Any, 0) };

        var error = Assert.Throws<ArgumentException>(() => new StowServer(options, new MemoryInstanceStore(), new CapturingLogger<StowServer>(), new GatewayMetrics()));
        Assert.Contains("loopback only", error.Message);
        await Task.CompletedTask;
    }

    /// <summary>Cuts, flips, repeats or drops bytes: in the multipart framing, the part headers, the File Meta or the data set.</summary>
    private static byte[] Mutate(byte[] valid, Random random)
    {
        var body = valid.ToArray();
        int at = random.Next(body.Length);
        switch (random.Next(4))
        {
            case 0:
                return body[..at];
            case 1:
                for (int n = random.Next(1, 8); n > 0; n--) body[random.Next(Math.Min(body.Length, 1200))] ^= (byte)random.Next(1, 256);
                return body;
            case 2:
                return [.. body[..at], .. body[at..Math.Min(body.Length, at + random.Next(1, 64))], .. body[at..]];
            default:
                return [.. body[..at], .. body[Math.Min(body.Length, at + random.Next(1, 64))..]];
        }
    }

    private static string SopInstanceOf(byte[] part10)
    {
        // (0002,0003) from the File Meta Information, read here without the codec.
        int offset = 132;
        while (offset < part10.Length)
        {
            ushort group = BinaryPrimitives.ReadUInt16LittleEndian(part10.AsSpan(offset)), element = BinaryPrimitives.ReadUInt16LittleEndian(part10.AsSpan(offset + 2));
            string vr = Encoding.ASCII.GetString(part10, offset + 4, 2);
            bool longForm = vr is "OB" or "OW" or "UN" or "SQ" or "UT" or "UC" or "UR" or "OF" or "OD" or "OL" or "OV";
            int length = longForm ? (int)BinaryPrimitives.ReadUInt32LittleEndian(part10.AsSpan(offset + 8)) : BinaryPrimitives.ReadUInt16LittleEndian(part10.AsSpan(offset + 6));
            int value = offset + (longForm ? 12 : 8);
            if (group == 0x0002 && element == 0x0003) return Encoding.ASCII.GetString(part10, value, length).TrimEnd('\0', ' ');
            offset = value + length;
        }

        throw new InvalidDataException("no (0002,0003)");
    }

    private static async Task<(string Study, string Sop)> GatewayIdentity(string path)
    {
        await using var stream = File.OpenRead(path);
        using var file = await CloudAnon.Dicom.DicomFile.OpenAsync(stream);
        return (file.Dataset.GetAsciiString(new CloudAnon.Dicom.DicomTag(0x0020, 0x000D))!, file.Dataset.GetAsciiString(new CloudAnon.Dicom.DicomTag(0x0008, 0x0018))!);
    }
}
