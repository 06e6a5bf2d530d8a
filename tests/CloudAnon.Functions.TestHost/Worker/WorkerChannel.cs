using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.Logging;
using RpcException = Microsoft.Azure.WebJobs.Script.Grpc.Messages.RpcException;

namespace CloudAnon.Functions.TestHost.Worker;

/// <summary>A finished invocation, as the host saw it (for tests and the local demo to wait on).</summary>
public sealed record InvocationRecord(string FunctionName, string InvocationId, bool Succeeded, TimeSpan Duration);

/// <summary>
/// The host's end of the worker protocol (FunctionRpc.EventStream): the start-up handshake (StartStream →
/// WorkerInitRequest → FunctionsMetadataRequest → FunctionLoadRequest per function), invocations, and the worker's
/// RpcLog lines, which are logged under the categories the Functions host uses (<c>Function.&lt;name&gt;.User</c> for
/// a function's own lines when they name the invocation, else the worker's category), so host.json's filters apply to them.
/// </summary>
public sealed class WorkerChannel(WorkerChannelOptions options, ILoggerFactory loggerFactory) : FunctionRpc.FunctionRpcBase
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, PendingInvocation> _invocations = new();
    private readonly ConcurrentDictionary<string, RpcFunctionMetadata> _functionsByName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _loadsPending = new();
    private readonly ConcurrentQueue<InvocationRecord> _finished = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _workerLog = loggerFactory.CreateLogger("Host.Function.Worker");
    private int _inFlight;
    private int _peakInFlight;

    /// <summary>Completes when the worker has loaded every function it reported; faults when it reports a failure.</summary>
    public Task Ready => _ready.Task;

    public IReadOnlyCollection<string> FunctionNames => [.. _functionsByName.Keys];

    public IReadOnlyList<InvocationRecord> Finished => [.. _finished];

    /// <summary>The most invocations the worker was running at once (the host's parallelism as it happened).</summary>
    public int PeakConcurrentInvocations => Volatile.Read(ref _peakInFlight);

    /// <summary>Raised after every invocation response.</summary>
    public event Action<InvocationRecord>? InvocationFinished;

    /// <summary>
    /// Invokes <paramref name="functionName"/> in the worker with <paramref name="triggerData"/> bound to its trigger
    /// binding and the trigger metadata, and waits for the response.
    /// </summary>
    /// <exception cref="WorkerInvocationException">The worker reported a failure (the message is the worker's exception).</exception>
    public async Task InvokeAsync(string functionName, TypedData triggerData, IDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken)
    {
        await Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        var function = _functionsByName.TryGetValue(functionName, out var found)
            ? found
            : throw new InvalidOperationException($"The worker has no function '{functionName}'.");
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext(),
            InputData = { new ParameterBinding { Name = FunctionMetadataConversion.TriggerBindingName(function), Data = triggerData } },
            TriggerMetadata = { triggerMetadata },
        };
        var pending = new PendingInvocation(functionName, System.Diagnostics.Stopwatch.StartNew());
        _invocations[request.InvocationId] = pending;
        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _peakInFlight, inFlight);
        await _outbound.Writer.WriteAsync(new StreamingMessage { InvocationRequest = request }, cancellationToken).ConfigureAwait(false);
        await using (cancellationToken.Register(() => _outbound.Writer.TryWrite(
            new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = request.InvocationId } })))
        {
            var result = await pending.Response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (result.Status != StatusResult.Types.Status.Success)
            {
                throw new WorkerInvocationException(result.Exception);
            }
        }
    }

    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        var writer = WriteAllAsync(responseStream, context.CancellationToken);
        try
        {
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                Handle(message);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _ready.TrySetException(new InvalidOperationException("The worker closed its stream."));
            foreach (var pending in _invocations.Values)
            {
                pending.Response.TrySetException(new InvalidOperationException("The worker closed its stream."));
            }
        }

        await writer.ConfigureAwait(false);
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> responseStream, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Handle(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                Send(new StreamingMessage
                {
                    WorkerInitRequest = new WorkerInitRequest
                    {
                        HostVersion = options.HostVersion,
                        WorkerDirectory = options.AppDirectory,
                        FunctionAppDirectory = options.AppDirectory,
                    },
                });
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                if (Failed(message.WorkerInitResponse.Result, "worker initialisation"))
                {
                    return;
                }

                Send(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = options.AppDirectory } });
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                Load(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                if (!Failed(message.FunctionLoadResponse.Result, "function load")
                    && _loadsPending.TryRemove(message.FunctionLoadResponse.FunctionId, out _) && _loadsPending.IsEmpty)
                {
                    _ready.TrySetResult();
                }

                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                Complete(message.InvocationResponse);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                Log(message.RpcLog);
                break;
        }
    }

    private void Load(FunctionMetadataResponse response)
    {
        if (Failed(response.Result, "function metadata") || response.FunctionMetadataResults.Count == 0)
        {
            _ready.TrySetException(new InvalidOperationException("The worker reported no functions."));
            return;
        }

        var loads = response.FunctionMetadataResults.Select(reported => FunctionMetadataConversion.ForLoad(reported, options.AppDirectory)).ToList();
        foreach (var metadata in loads)
        {
            _functionsByName[metadata.Name] = metadata;
            _loadsPending[metadata.FunctionId] = 0;
        }

        foreach (var metadata in loads)
        {
            Send(new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = metadata } });
        }
    }

    private void Complete(InvocationResponse response)
    {
        if (!_invocations.TryRemove(response.InvocationId, out var pending))
        {
            return;
        }

        Interlocked.Decrement(ref _inFlight);
        var record = new InvocationRecord(pending.FunctionName, response.InvocationId,
            response.Result.Status == StatusResult.Types.Status.Success, pending.Clock.Elapsed);
        _finished.Enqueue(record);
        InvocationFinished?.Invoke(record);
        pending.Response.TrySetResult(response.Result);
    }

    private void Log(RpcLog log)
    {
        var logger = log.LogCategory == RpcLog.Types.RpcLogCategory.User && _invocations.TryGetValue(log.InvocationId, out var pending)
            ? loggerFactory.CreateLogger($"Function.{pending.FunctionName}.User")
            : string.IsNullOrEmpty(log.Category) ? _workerLog : loggerFactory.CreateLogger(log.Category);
        var level = log.Level == RpcLog.Types.Level.None ? LogLevel.None : (LogLevel)(int)log.Level;
        var exception = log.Exception is { } rpc ? new WorkerInvocationException(rpc) : null;
        // The worker formatted the line already: it is the state, not a template.
        logger.Log(level, default, log.Message, exception, static (message, _) => message);
    }

    /// <summary>True (and start-up failed) when <paramref name="result"/> is not a success.</summary>
    private bool Failed(StatusResult? result, string step)
    {
        if (result is null || result.Status == StatusResult.Types.Status.Success)
        {
            return false;
        }

        _ready.TrySetException(new InvalidOperationException($"The worker's {step} failed: {result.Exception?.Message}"));
        return true;
    }

    private void Send(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }

    private sealed record PendingInvocation(string FunctionName, System.Diagnostics.Stopwatch Clock)
    {
        public TaskCompletionSource<StatusResult> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

public sealed record WorkerChannelOptions(string AppDirectory, string HostVersion = "4.1040.0");

/// <summary>The worker reported a failed invocation; the message is the worker's exception, as the Functions host reports it.</summary>
public sealed class WorkerInvocationException(RpcException? exception)
    : Exception($"Result: Failure Exception: {exception?.Message} Stack: {exception?.StackTrace}");
