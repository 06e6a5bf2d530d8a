using System.Net;
using CloudAnon.TestSupport;

namespace CloudAnon.Network.Tests;

/// <summary>Negotiation as dcmtk's echoscu and storescu see it: reject reasons, maximum PDU, identity, DICOM TLS.</summary>
public sealed class DcmtkInteropTests
{
    private static ExternalTool.Result Echo(TestGateway gateway, params string[] options) =>
        ExternalTool.Run("echoscu", [.. options, "127.0.0.1", gateway.Port], TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Echo_IsAccepted_WithOurMaxPduAndImplementation()
    {
        await using var gateway = new TestGateway();

        var result = Echo(gateway, "-d", "-aec", "CLOUDANON");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Received Echo Response (Success)", result.StandardError);
        Assert.Contains("Their Max PDU Receive Size:  262144", result.StandardError);
        Assert.Contains("Their Implementation Class UID:    2.25.154862196214813829512738011447367950170", result.StandardError);
        Assert.Contains("Their Implementation Version Name: CLOUDANON", result.StandardError);
    }

    [Fact]
    public async Task WrongCalledAe_IsRejected_CalledAeNotRecognized()
    {
        await using var gateway = new TestGateway();

        Assert.Contains("Called AE Title Not Recognized", Echo(gateway, "-aec", "SOMEONEELSE").StandardError);
    }

    [Fact]
    public async Task UnlistedCallingAe_IsRejected_CallingAeNotRecognized()
    {
        await using var gateway = new TestGateway(new DicomServerOptions { CallingAes = [new CallingAeRule("MODALITY1", null)] });

        Assert.Contains("Calling AE Title Not Recognized", Echo(gateway, "-aec", "CLOUDANON", "-aet", "INTRUDER").StandardError);
        Assert.Contains("Received Echo Response (Success)", Echo(gateway, "-v", "-aec", "CLOUDANON", "-aet", "MODALITY1").StandardError);
    }

    [Fact]
    public async Task ListedCallingAe_FromAnotherAddress_IsRejected()
    {
        await using var gateway = new TestGateway(new DicomServerOptions { CallingAes = [new CallingAeRule("MODALITY1", IPAddress.Parse("10.20.30.40"))] });

        Assert.Contains("Calling AE Title Not Recognized", Echo(gateway, "-aec", "CLOUDANON", "-aet", "MODALITY1").StandardError);
    }

    [Fact]
    public async Task OverTheAssociationLimit_IsRejected_LocalLimitExceeded()
    {
        await using var gateway = new TestGateway(new DicomServerOptions { MaxAssociations = 1 });
        await using var holder = await RawScu.ConnectAsync(gateway.EndPoint);
        await holder.SendAsync(RawScu.AssociateRequest("CLOUDANON", "SCU", (1, "1.2.840.10008.1.1", [RawScu.ImplicitLittleEndian])));
        Assert.Equal((byte)0x02, (await holder.ReceiveAsync(TimeSpan.FromSeconds(10)))!.Value.Type);

        var result = Echo(gateway, "-aec", "CLOUDANON");

        Assert.Contains("Rejected Transient", result.StandardError);
        Assert.Contains("Local Limit Exceeded", result.StandardError);
    }

    [Fact]
    public async Task NoAcceptableContext_IsRejected()
    {
        await using var gateway = new TestGateway();
        var config = Path.Combine(Path.GetTempPath(), $"cloudanon-private-{Guid.NewGuid():N}.cfg");
        // A private SOP class only: nothing the gateway negotiates.
        File.WriteAllText(config, "[[TransferSyntaxes]]\n[TS]\nTransferSyntax1 = 1.2.840.10008.1.2.1\n[[PresentationContexts]]\n[PC]\nPresentationContext1 = 1.3.46.670589.5.0.1.1\\TS\n[[Profiles]]\n[Send]\nPresentationContexts = PC\n");
        var file = Corpus.Files.First(f => f.SopClass.StartsWith("1.3.46.670589.5.0.1.1", StringComparison.Ordinal)).FullPath;
        try
        {
            var result = ExternalTool.Run("storescu", ["-xf", config, "Send", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, file]);
            Assert.Contains("Association Rejected", result.StandardError);
            Assert.Contains("Rejected Permanent, Source: Service User", result.StandardError);
            Assert.Empty(gateway.Store.Committed);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task StoreScu_WithTheSmallestPdu_Lands()
    {
        await using var gateway = new TestGateway();
        var file = Corpus.Get("ts/explicit_le/MR_small.dcm").FullPath;

        var result = ExternalTool.Run("storescu", ["-xe", "--max-pdu", "4096", "--max-send-pdu", "4096", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, file]);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(gateway.Store.Committed);
    }

    [Fact]
    public async Task StoreScuOverTls_Lands()
    {
        using var certificate = TestCertificates.CreateLoopbackTlsCertificate();
        await using var gateway = new TestGateway(new DicomServerOptions { TlsCertificate = certificate });
        var directory = Directory.CreateTempSubdirectory("cloudanon-tls-");
        var certificatePath = Path.Combine(directory.FullName, "gateway.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        try
        {
            var file = Corpus.Get("ts/explicit_le/MR_small.dcm").FullPath;
            // storescu +tls: anonymous client (no client key), the gateway's certificate as the trusted one.
            var result = ExternalTool.Run("storescu", ["+tla", "+cf", certificatePath, "-xe", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, file]);

            Assert.True(result.ExitCode == 0, result.StandardError);
            Assert.Single(gateway.Store.Committed);
            // Plain TCP to the TLS port gets nowhere, and stores nothing.
            Assert.NotEqual(0, ExternalTool.Run("storescu", ["-xe", "-to", "5", "-aec", "CLOUDANON", "127.0.0.1", gateway.Port, file]).ExitCode);
            Assert.Single(gateway.Store.Committed);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
