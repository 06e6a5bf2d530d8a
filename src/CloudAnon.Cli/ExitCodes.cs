namespace CloudAnon.Cli;

/// <summary>0 all done, 1 some files failed or were skipped, 2 usage error.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int SomeFilesFailed = 1;
    public const int UsageError = 2;
}

/// <summary>A mistake in the command line or its arguments: reported with exit code 2, after the verb it concerns.</summary>
internal sealed class CliUsageException(string message, string? verb = null) : Exception(message)
{
    public string? Verb { get; } = verb;
}

/// <summary>Setting up a run failed before any file was touched (exit code 1); the message says what and where.</summary>
internal sealed class CloudSetupException(string message) : Exception(message);
