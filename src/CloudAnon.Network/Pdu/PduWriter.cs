using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CloudAnon.Dicom;

namespace CloudAnon.Network.Pdu;

/// <summary>The result of one presentation context in an A-ASSOCIATE-AC (PS3.8 9.3.3.2).</summary>
internal enum ContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>What the acceptor answers for one proposed context: the result and, when accepted, the transfer syntax.</summary>
internal sealed record ContextAnswer(byte Id, ContextResult Result, string AbstractSyntax, TransferSyntax? TransferSyntax);

/// <summary>Encodes the PDUs an acceptor sends, and P-DATA-TF fragments no longer than the peer's maximum length.</summary>
internal sealed class PduWriter(Stream stream)
{
    private const string ApplicationContext = "1.2.840.10008.3.1.1.1";
    private readonly ArrayBufferWriter<byte> _pdu = new(1024);

    public async ValueTask WriteAssociateAcceptAsync(
        AssociateRequest request, IReadOnlyList<ContextAnswer> answers, int maxReceiveLength, CancellationToken cancellationToken)
    {
        Begin(PduType.AssociateAccept);
        WriteUInt16(1);
        WriteUInt16(0);
        _pdu.Write(request.CalledAeField);
        _pdu.Write(request.CallingAeField);
        _pdu.GetSpan(32)[..32].Clear();
        _pdu.Advance(32);
        WriteItem(0x10, ApplicationContext);
        foreach (var answer in answers)
        {
            int start = BeginItem(0x21);
            _pdu.Write<byte>([answer.Id, 0, (byte)answer.Result, 0]);
            // Not significant unless accepted (PS3.8 9.3.3.2), but a sub-item keeps strict parsers content.
            WriteItem(0x40, (answer.TransferSyntax ?? TransferSyntax.ImplicitVRLittleEndian).Uid);
            EndItem(start);
        }

        int userInformation = BeginItem(0x50);
        int maxLength = BeginItem(0x51);
        WriteUInt32((uint)maxReceiveLength);
        EndItem(maxLength);
        WriteItem(0x52, DicomImplementation.ClassUid);
        WriteItem(0x55, DicomImplementation.VersionName);
        EndItem(userInformation);
        await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask WriteAssociateRejectAsync(RejectReason reason, CancellationToken cancellationToken) =>
        WriteFixedAsync(PduType.AssociateReject, [0, reason.Result, reason.Source, reason.Reason], cancellationToken);

    public ValueTask WriteReleaseResponseAsync(CancellationToken cancellationToken) =>
        WriteFixedAsync(PduType.ReleaseResponse, [0, 0, 0, 0], cancellationToken);

    /// <summary>An A-ABORT from the service provider (source 2) with <paramref name="reason"/>.</summary>
    public ValueTask WriteAbortAsync(AbortReason reason, CancellationToken cancellationToken) =>
        WriteFixedAsync(PduType.Abort, [0, 0, 2, (byte)reason], cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> as PDVs of one presentation context, each PDU within <paramref name="peerMaxLength"/>
    /// (0: no limit); the last fragment carries the last-fragment bit.
    /// </summary>
    public async ValueTask WriteDataAsync(byte contextId, bool command, ReadOnlyMemory<byte> message, uint peerMaxLength, CancellationToken cancellationToken)
    {
        // A PDV item adds 6 bytes (length, context ID, control header) inside the PDU's variable field.
        int maxFragment = peerMaxLength is 0 or > 1024 * 1024 ? 1024 * 1024 : Math.Max((int)peerMaxLength - 6, 1);
        do
        {
            int length = Math.Min(maxFragment, message.Length);
            bool last = length == message.Length;
            Begin(PduType.DataTransfer);
            WriteUInt32((uint)length + 2);
            _pdu.Write<byte>([contextId, (byte)((command ? 1 : 0) | (last ? 2 : 0))]);
            _pdu.Write(message.Span[..length]);
            message = message[length..];
            await SendAsync(cancellationToken).ConfigureAwait(false);
        }
        while (!message.IsEmpty);
    }

    private async ValueTask WriteFixedAsync(PduType type, byte[] body, CancellationToken cancellationToken)
    {
        Begin(type);
        _pdu.Write(body);
        await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Begin(PduType type)
    {
        _pdu.ResetWrittenCount();
        _pdu.Write<byte>([(byte)type, 0, 0, 0, 0, 0]);
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var pdu = _pdu.WrittenMemory;
        BinaryPrimitives.WriteUInt32BigEndian(MemoryMarshalSpan(pdu, 2), (uint)(pdu.Length - PduReader.HeaderLength));
        await stream.WriteAsync(pdu, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Span<byte> MemoryMarshalSpan(ReadOnlyMemory<byte> memory, int start) =>
        System.Runtime.InteropServices.MemoryMarshal.AsMemory(memory).Span[start..];

    private void WriteItem(byte type, string text)
    {
        int start = BeginItem(type);
        _pdu.Write(Encoding.ASCII.GetBytes(text));
        EndItem(start);
    }

    private int BeginItem(byte type)
    {
        _pdu.Write<byte>([type, 0, 0, 0]);
        return _pdu.WrittenCount;
    }

    /// <summary>Writes the item's 2-byte length now that its value is complete.</summary>
    private void EndItem(int valueStart)
    {
        var span = MemoryMarshalSpan(_pdu.WrittenMemory, valueStart - 2);
        BinaryPrimitives.WriteUInt16BigEndian(span, checked((ushort)(_pdu.WrittenCount - valueStart)));
    }

    private void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    private void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    private Span<byte> Take(int count)
    {
        var span = _pdu.GetSpan(count)[..count];
        _pdu.Advance(count);
        return span;
    }
}
