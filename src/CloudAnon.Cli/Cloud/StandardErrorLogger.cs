using Microsoft.Extensions.Logging;

namespace CloudAnon.Cli.Cloud;

/// <summary>
/// Writes the pipeline's log entries to standard error: warnings and above, or everything with --verbose. The processor's
/// messages carry only reason codes, sizes, hashed blob names and de-identified UIDs, so they are safe to print.
/// </summary>
internal sealed class StandardErrorLogger<T>(LogLevel minimum) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"{logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
        }
    }
}
