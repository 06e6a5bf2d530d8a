using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CloudAnon.TestSupport;

/// <summary>One formatted log entry.</summary>
public sealed record CapturedLog(LogLevel Level, string Message, Exception? Exception);

/// <summary>A logger that keeps every entry in memory so tests can assert on what was logged.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new CapturedLog(logLevel, formatter(state, exception), exception));
}
