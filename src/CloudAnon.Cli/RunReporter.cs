using System.Diagnostics;
using System.Globalization;

namespace CloudAnon.Cli;

/// <summary>
/// Counts files and bytes of a run and writes to stderr: messages, a progress bar (only on a terminal, only once the run
/// has lasted a moment), and the closing summary. Safe to call from parallel workers.
/// </summary>
internal sealed class RunReporter : IDisposable
{
    private static readonly TimeSpan ProgressDelay = TimeSpan.FromSeconds(0.7);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly TextWriter _error;
    private readonly int _totalFiles;
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly Timer? _timer;
    private bool _progressShown;
    private int _done, _skipped, _failed;
    private long _bytes;

    public RunReporter(TextWriter error, bool errorIsTerminal, int totalFiles, long totalBytes)
    {
        (_error, _totalFiles, _totalBytes) = (error, totalFiles, totalBytes);
        if (errorIsTerminal) _timer = new Timer(_ => DrawProgress(), null, ProgressDelay, ProgressInterval);
    }

    public int Done => _done;
    public int Skipped => _skipped;
    public int Failed => _failed;
    public int NotStarted => _totalFiles - _done - _skipped - _failed;

    public void FileDone(long bytes) { Interlocked.Increment(ref _done); Interlocked.Add(ref _bytes, bytes); }

    public void FileSkipped(long bytes) { Interlocked.Increment(ref _skipped); Interlocked.Add(ref _bytes, bytes); }

    public void FileFailed(long bytes) { Interlocked.Increment(ref _failed); Interlocked.Add(ref _bytes, bytes); }

    /// <summary>A line on stderr, clearing the progress bar first so the two never mix.</summary>
    public void WriteLine(string message)
    {
        lock (_lock)
        {
            if (_progressShown) _error.Write("\r\u001b[K");
            _error.WriteLine(message);
        }
    }

    public void WriteSummary()
    {
        StopProgress();
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        double megabytes = Interlocked.Read(ref _bytes) / 1e6;
        string notStarted = NotStarted > 0 ? $", {NotStarted} not started" : "";
        WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cloudanon: {_done} done, {_skipped} skipped, {_failed} failed{notStarted}; {megabytes:0.0} MB in {seconds:0.00} s ({megabytes / seconds:0.0} MB/s, {(_done + _skipped + _failed) / seconds:0.0} files/s)"));
    }

    public void Dispose() => StopProgress();

    private void StopProgress()
    {
        _timer?.Dispose();
        lock (_lock)
        {
            if (_progressShown) _error.Write("\r\u001b[K");
            _progressShown = false;
        }
    }

    private void DrawProgress()
    {
        const int width = 30;
        int finished = _done + _skipped + _failed;
        long bytes = Interlocked.Read(ref _bytes);
        double seconds = _clock.Elapsed.TotalSeconds;
        double fraction = _totalBytes > 0 ? (double)bytes / _totalBytes : (double)finished / Math.Max(_totalFiles, 1);
        double rate = bytes / 1e6 / seconds;
        string eta = fraction > 0 ? TimeSpan.FromSeconds(seconds * (1 - fraction) / fraction).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "?";
        int filled = (int)(Math.Clamp(fraction, 0, 1) * width);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('-', width - filled)}] {finished}/{_totalFiles} files  {rate:0.0} MB/s  ETA {eta}\u001b[K");
        lock (_lock)
        {
            if (_timer is null) return;
            _error.Write(line);
            _error.Flush();
            _progressShown = true;
        }
    }
}
