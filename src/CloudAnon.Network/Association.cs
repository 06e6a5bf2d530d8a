using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using CloudAnon.Dicom;
using CloudAnon.Network.Dimse;
using CloudAnon.Network.Pdu;
using CloudAnon.Network.Storage;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Network;

/// <summary>
/// One association, as the acceptor's state machine (PS3.8 9.2): awaits the A-ASSOCIATE-RQ under ARTIM, answers it, then
/// reassembles P-DATA-TF fragments into DIMSE commands and data sets until A-RELEASE or A-ABORT. Anything out of place
/// (an unknown or unexpected PDU, a malformed item, a fragment of a context not accepted) aborts the association; a
/// partly received instance is abandoned and never committed. Each C-STORE response follows the instance's commit.
/// </summary>
internal sealed partial class Association : IDisposable
{
    private const int MaxCommandLength = DimseCommand.MaxLength;

    private readonly DicomServerOptions _options;
    private readonly IInstanceStore _store;
    private readonly ILogger _logger;
    private readonly GatewayMetrics _metrics;
    private readonly long _id;
    private readonly IPAddress _remote;
    private readonly bool _overLimit;
    private readonly PduReader _reader;
    private readonly PduWriter _writer;
    private readonly Dictionary<byte, ContextAnswer> _accepted = [];
    private readonly MemoryStream _command = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private uint _peerMaxLength;

    // The message in progress: its command and context, then the instance receiving its data set (or the status to send
    // once a data set that is not stored has been read past).
    private DimseCommand? _message;
    private byte _messageContext;
    private InstanceReceiver? _instance;
    private long _instanceStarted;
    private ushort _discardStatus;
    private int _instances;
    private long _bytes;

    public Association(long id, Stream stream, IPAddress remote, bool overLimit, DicomServerOptions options, IInstanceStore store, ILogger logger, GatewayMetrics metrics)
    {
        _id = id;
        _overLimit = overLimit;
        _remote = remote;
        _options = options;
        _store = store;
        _logger = logger;
        _metrics = metrics;
        _reader = new PduReader(stream, options.MaxPduLength);
        _writer = new PduWriter(stream);
    }

    private bool MessageInProgress => _message is not null || _command.Length > 0;

    /// <param name="stopping">Graceful shutdown: the message in progress is finished, then the association is aborted.</param>
    /// <param name="abort">Hard stop: everything in progress is abandoned.</param>
    public async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        string outcome = "error";
        try
        {
            outcome = await NegotiateAsync(abort).ConfigureAwait(false) ?? await ServeAsync(stopping, abort).ConfigureAwait(false);
        }
        catch (DicomNetworkException e)
        {
            outcome = "aborted-protocol-error";
            LogProtocolError(_id, e.Message);
            await TrySendAbortAsync(e.Reason).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            outcome = "aborted-timeout";
            await TrySendAbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            outcome = "aborted-shutdown";
            await TrySendAbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
        }
        catch (IOException)
        {
            outcome = "connection-lost";
        }
        finally
        {
            if (_instance is not null)
            {
                await _instance.DisposeAsync().ConfigureAwait(false);
                _instance = null;
            }

            _metrics.RecordAssociation(outcome);
            LogAssociationEnded(_id, outcome, _instances, _bytes, _clock.ElapsedMilliseconds);
        }
    }

    /// <summary>Sta2 to Sta6 or Sta13: null when established, else the outcome of a reject or an early close.</summary>
    private async Task<string?> NegotiateAsync(CancellationToken abort)
    {
        var pdu = await ReadAsync(_options.ArtimTimeout, abort).ConfigureAwait(false);
        if (pdu is null) return "closed-before-request";
        if (pdu.Value.Type != PduType.AssociateRequest)
        {
            throw new DicomNetworkException($"PDU type 0x{(byte)pdu.Value.Type:X2} where an A-ASSOCIATE-RQ belongs", AbortReason.UnexpectedPdu);
        }

        var request = AssociateRequest.Parse(pdu.Value.Body.Span);
        var (reject, answers) = _overLimit ? (RejectReason.LocalLimitExceeded, []) : new AssociationNegotiator(_options).Negotiate(request, _remote);
        if (reject is { } reason)
        {
            await _writer.WriteAssociateRejectAsync(reason, abort).ConfigureAwait(false);
            LogRejected(_id, _remote, reason.Name, reason.Result, reason.Source, reason.Reason);
            await WaitForCloseAsync(abort).ConfigureAwait(false);
            return "rejected-" + reason.Name;
        }

        foreach (var answer in answers.Where(a => a.Result == ContextResult.Acceptance))
        {
            _accepted.Add(answer.Id, answer);
        }

        _peerMaxLength = request.MaxPduLength;
        await _writer.WriteAssociateAcceptAsync(request, answers, _options.MaxPduLength, abort).ConfigureAwait(false);
        LogAccepted(_id, _remote, _accepted.Count, answers.Count, request.MaxPduLength);
        return null;
    }

    /// <summary>Sta6: P-DATA until the requester releases or aborts.</summary>
    private async Task<string> ServeAsync(CancellationToken stopping, CancellationToken abort)
    {
        while (true)
        {
            (PduType Type, ReadOnlyMemory<byte> Body)? pdu;
            // Between messages a shutdown ends the wait at once; within one, the message is finished first.
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(abort, MessageInProgress ? CancellationToken.None : stopping))
            {
                try
                {
                    pdu = await ReadAsync(_options.IdleTimeout, wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested && !abort.IsCancellationRequested)
                {
                    await TrySendAbortAsync(AbortReason.NotSpecified).ConfigureAwait(false);
                    return "closed-for-shutdown";
                }
            }

            switch (pdu?.Type)
            {
                case null:
                    return "closed-without-release";
                case PduType.DataTransfer:
                    await ReceiveDataAsync(pdu.Value.Body, abort).ConfigureAwait(false);
                    break;
                case PduType.ReleaseRequest when !MessageInProgress:
                    await _writer.WriteReleaseResponseAsync(abort).ConfigureAwait(false);
                    await WaitForCloseAsync(abort).ConfigureAwait(false);
                    return "released";
                case PduType.Abort:
                    return "aborted-by-sender";
                default:
                    throw new DicomNetworkException($"PDU type 0x{(byte)pdu.Value.Type:X2} is unexpected in an established association", AbortReason.UnexpectedPdu);
            }
        }
    }

    /// <summary>Reads one PDU within <paramref name="timeout"/> and what is left of the association's time.</summary>
    private async ValueTask<(PduType Type, ReadOnlyMemory<byte> Body)?> ReadAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var left = _options.MaxAssociationDuration - _clock.Elapsed;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(left < timeout ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : timeout);
        return await _reader.ReadAsync(timer.Token).ConfigureAwait(false);
    }

    /// <summary>Sta13: the peer closes the connection after a reject or a release response; ARTIM bounds the wait.</summary>
    private async Task WaitForCloseAsync(CancellationToken abort)
    {
        try
        {
            while (await ReadAsync(_options.ArtimTimeout, abort).ConfigureAwait(false) is not null)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or DicomNetworkException)
        {
            // ARTIM expired or the peer went away: the connection is closed either way.
        }
    }

    /// <summary>Walks the PDV items of one P-DATA-TF (PS3.8 9.3.5.1), checking each length before slicing.</summary>
    private async Task ReceiveDataAsync(ReadOnlyMemory<byte> body, CancellationToken abort)
    {
        while (!body.IsEmpty)
        {
            if (body.Length < 6) throw new DicomNetworkException($"{body.Length} stray bytes where a PDV item belongs");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(body.Span);
            if (length < 2 || length > body.Length - 4) throw new DicomNetworkException($"PDV item declares {length} bytes, {body.Length - 4} remain");
            byte contextId = body.Span[4];
            byte control = body.Span[5];
            var fragment = body.Slice(6, (int)length - 2);
            body = body[(4 + (int)length)..];
            if ((control & 0xFC) != 0) throw new DicomNetworkException($"PDV message control header 0x{control:X2} has reserved bits set");
            if (!_accepted.ContainsKey(contextId)) throw new DicomNetworkException($"PDV for presentation context {contextId}, which was not accepted");
            if (MessageInProgress && contextId != _messageContext) throw new DicomNetworkException($"PDV for context {contextId} inside a message of context {_messageContext}");
            _messageContext = contextId;
            bool last = (control & 2) != 0;
            if ((control & 1) != 0) await ReceiveCommandAsync(fragment, last, abort).ConfigureAwait(false);
            else await ReceiveDataSetAsync(fragment, last, abort).ConfigureAwait(false);
        }
    }

    private async Task ReceiveCommandAsync(ReadOnlyMemory<byte> fragment, bool last, CancellationToken abort)
    {
        if (_message is not null) throw new DicomNetworkException("a command fragment where the data set belongs", AbortReason.UnexpectedPduParameter);
        if (_command.Length + fragment.Length > MaxCommandLength) throw new DicomNetworkException($"command set longer than {MaxCommandLength} bytes");
        _command.Write(fragment.Span);
        if (!last) return;

        var command = DimseCommand.Parse(_command.GetBuffer().AsSpan(0, (int)_command.Length));
        _command.SetLength(0);
        if ((command.Field & CommandField.ResponseBit) != 0) throw new DicomNetworkException($"a DIMSE response (0x{command.Field:X4}) sent to the acceptor", AbortReason.UnexpectedPduParameter);
        _message = command;
        await StartMessageAsync(command, abort).ConfigureAwait(false);
    }

    private async Task StartMessageAsync(DimseCommand command, CancellationToken abort)
    {
        var context = _accepted[_messageContext];
        _discardStatus = command.Field switch
        {
            CommandField.CEchoRequest when context.AbstractSyntax == StorageSopClasses.Verification => DimseStatus.Success,
            CommandField.CStoreRequest when command.AffectedSopClassUid != context.AbstractSyntax => DimseStatus.SopClassNotSupported,
            CommandField.CStoreRequest when !IsUid(command.AffectedSopInstanceUid) => DimseStatus.CannotUnderstand,
            CommandField.CStoreRequest => DimseStatus.Success,
            _ => DimseStatus.UnrecognizedOperation,
        };

        if (command.Field == CommandField.CStoreRequest && _discardStatus == DimseStatus.Success && command.HasDataSet)
        {
            _instanceStarted = Stopwatch.GetTimestamp();
            _instance = await InstanceReceiver.StartAsync(_store, command.AffectedSopClassUid!, command.AffectedSopInstanceUid!, context.TransferSyntax!, abort).ConfigureAwait(false);
            return;
        }

        if (command.Field == CommandField.CStoreRequest && !command.HasDataSet) _discardStatus = DimseStatus.CannotUnderstand;
        if (!command.HasDataSet) await RespondAsync(_discardStatus, abort).ConfigureAwait(false);
    }

    private async Task ReceiveDataSetAsync(ReadOnlyMemory<byte> fragment, bool last, CancellationToken abort)
    {
        if (_message is not { HasDataSet: true }) throw new DicomNetworkException("a data set fragment without a command that announced one", AbortReason.UnexpectedPduParameter);
        if (_instance is not null) await _instance.WriteAsync(fragment, abort).ConfigureAwait(false);
        else _bytes += fragment.Length;
        if (!last) return;

        if (_instance is not { } instance)
        {
            await RespondAsync(_discardStatus, abort).ConfigureAwait(false);
            return;
        }

        var outcome = await instance.CompleteAsync(abort).ConfigureAwait(false);
        _instance = null;
        await instance.DisposeAsync().ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(_instanceStarted);
        _instances++;
        _bytes += instance.Length;
        _metrics.RecordInstance("dimse", outcome, instance.Length, elapsed);
        LogInstance(_id, instance.Key, instance.Length, outcome.Name(), (long)elapsed.TotalMilliseconds);
        await RespondAsync(StatusOf(outcome), abort).ConfigureAwait(false);
    }

    public static ushort StatusOf(StoreOutcome outcome) => outcome switch
    {
        StoreOutcome.Stored or StoreOutcome.AlreadyStored => DimseStatus.Success,
        StoreOutcome.Malformed => DimseStatus.CannotUnderstand,
        _ => DimseStatus.OutOfResources,
    };

    private async Task RespondAsync(ushort status, CancellationToken abort)
    {
        var command = _message!;
        _message = null;
        string? comment = status switch
        {
            DimseStatus.OutOfResources => "Storage unavailable; nothing was stored, send again later",
            DimseStatus.CannotUnderstand => "The data set could not be read; nothing was stored",
            _ => null,
        };
        await _writer.WriteDataAsync(_messageContext, command: true, command.EncodeResponse(status, comment), _peerMaxLength, abort).ConfigureAwait(false);
    }

    private static bool IsUid(string? uid) => uid is { Length: > 0 and <= 64 } && uid.All(c => c is '.' or (>= '0' and <= '9'));

    private async Task TrySendAbortAsync(AbortReason reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _writer.WriteAbortAsync(reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The connection is going away regardless.
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _command.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "association {Id} from {Remote}: accepted, {Accepted} of {Proposed} presentation contexts, peer max PDU {PeerMaxPdu}")]
    private partial void LogAccepted(long id, IPAddress remote, int accepted, int proposed, uint peerMaxPdu);

    [LoggerMessage(Level = LogLevel.Warning, Message = "association {Id} from {Remote}: rejected, {Reason} (result {Result}, source {Source}, reason {ReasonCode})")]
    private partial void LogRejected(long id, IPAddress remote, string reason, byte result, byte source, byte reasonCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "association {Id}: aborted, {Problem}")]
    private partial void LogProtocolError(long id, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "association {Id} instance {Key}: {Bytes} bytes, {Outcome}, {Milliseconds} ms")]
    private partial void LogInstance(long id, string key, long bytes, string outcome, long milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "association {Id} ended: {Outcome}, {Instances} instances, {Bytes} bytes, {Milliseconds} ms")]
    private partial void LogAssociationEnded(long id, string outcome, int instances, long bytes, long milliseconds);
}
