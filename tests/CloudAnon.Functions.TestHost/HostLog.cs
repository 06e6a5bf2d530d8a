using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions.TestHost;

/// <summary>One log line of the host (or of the worker, forwarded through the host's logging as the Functions host does).</summary>
public sealed record LogLine(DateTimeOffset Time, string Category, LogLevel Level, string Message)
{
    public override string ToString() => $"{Time:HH:mm:ss.fff} {Level,-11} [{Category}] {Message}";
}

/// <summary>
/// Every log line the host wrote, twice: <see cref="Shipped"/> holds what host.json's logging filters let through (what
/// would reach Application Insights), <see cref="Everything"/> what was logged at Information and above before those
/// filters, less the Azure SDK's request tracing (category Azure.Core below Warning): in this one process it traces the
/// tests' own storage calls too, and formatting it for every request slows the host down.
/// </summary>
public sealed class HostLog
{
    private readonly ConcurrentQueue<LogLine> _shipped = new();
    private readonly ConcurrentQueue<LogLine> _everything = new();

    public IReadOnlyList<LogLine> Shipped => [.. _shipped];

    public IReadOnlyList<LogLine> Everything => [.. _everything];

    /// <summary>Adds both sinks: the shipped one under host.json's filters, the other one exempt from them.</summary>
    public void AddTo(ILoggingBuilder logging)
    {
        logging.AddProvider(new ShippedLinesProvider(_shipped));
        logging.AddProvider(new AllLinesProvider(_everything));
        // Provider-specific rules outrank every category rule of host.json, so this sink ignores them.
        logging.AddFilter<AllLinesProvider>(null, LogLevel.Information);
        logging.AddFilter<AllLinesProvider>("Azure.Core", LogLevel.Warning);
    }

    /// <summary>Writes both sets to <paramref name="directory"/> (host-shipped.log, host-everything.log).</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllLines(Path.Combine(directory, "host-shipped.log"), Shipped.Select(line => line.ToString()));
        File.WriteAllLines(Path.Combine(directory, "host-everything.log"), Everything.Select(line => line.ToString()));
    }

    private abstract class LinesProvider(ConcurrentQueue<LogLine> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new LineLogger(lines, categoryName);

        public void Dispose()
        {
        }
    }

    [ProviderAlias("Shipped")]
    private sealed class ShippedLinesProvider(ConcurrentQueue<LogLine> lines) : LinesProvider(lines);

    [ProviderAlias("Everything")]
    private sealed class AllLinesProvider(ConcurrentQueue<LogLine> lines) : LinesProvider(lines);

    private sealed class LineLogger(ConcurrentQueue<LogLine> lines, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        /// <summary>
        /// The formatted message, the state's properties (Application Insights ships them as custom dimensions: the
        /// host's Host.Results lines carry the trigger reason there) and the whole exception text.
        /// </summary>
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Where(p => p.Key != "{OriginalFormat}").Select(p => $"{p.Key}={p.Value}"))
                : "";
            var text = formatter(state, exception)
                + (properties.Length > 0 ? $" {{{properties}}}" : "")
                + (exception is null ? "" : $" {exception}");
            lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, category, logLevel, text));
        }
    }
}
