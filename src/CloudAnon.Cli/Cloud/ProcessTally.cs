using System.Diagnostics;
using CloudAnon.Azure.Ingress;

namespace CloudAnon.Cli.Cloud;

/// <summary>Thread-safe counts of one <c>cloudanon process</c> run, and their one-line rendering.</summary>
internal sealed class ProcessTally
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private long _egress;
    private long _quarantine;
    private long _alreadyDone;
    private long _doneByAnother;
    private long _skipped;
    private long _failed;
    private long _notStarted;
    private long _bytes;

    public long Failed => Interlocked.Read(ref _failed);

    public long NotStarted => Interlocked.Read(ref _notStarted);

    public void Add(IngressOutcome outcome)
    {
        Interlocked.Add(ref _bytes, outcome.Bytes);
        switch (outcome.Kind)
        {
            case IngressOutcomeKind.Egress: Interlocked.Increment(ref _egress); break;
            case IngressOutcomeKind.Quarantine: Interlocked.Increment(ref _quarantine); break;
            case IngressOutcomeKind.DoneByAnother: Interlocked.Increment(ref _doneByAnother); break;
            default: Interlocked.Increment(ref _alreadyDone); break;
        }
    }

    /// <summary>A blob the listing showed as processed before (its marker), not opened at all.</summary>
    public void AddSkipped() => Interlocked.Increment(ref _skipped);

    public void AddFailed() => Interlocked.Increment(ref _failed);

    /// <summary>A listed blob the run did not start because it stopped on a fault.</summary>
    public void AddNotStarted() => Interlocked.Increment(ref _notStarted);

    public string Describe(long tableRoundTrips, long blobRequests)
    {
        double seconds = Math.Max(_elapsed.Elapsed.TotalSeconds, 1e-3);
        long egress = Interlocked.Read(ref _egress), quarantine = Interlocked.Read(ref _quarantine);
        long alreadyDone = Interlocked.Read(ref _alreadyDone), doneByAnother = Interlocked.Read(ref _doneByAnother), failed = Failed;
        long files = egress + quarantine + alreadyDone + doneByAnother + failed;
        double megabytes = Interlocked.Read(ref _bytes) / 1e6;
        string perFile = files > 0 ? $" ({(double)tableRoundTrips / files:F2}/file)" : "";
        string blobsPerFile = files > 0 ? $" ({(double)blobRequests / files:F2}/file)" : "";
        return $"files {files}: egress {egress}, quarantine {quarantine}, already done {alreadyDone}, done by another processor {doneByAnother}, " +
               $"failed {failed}, skipped (marked) {Interlocked.Read(ref _skipped)} | {megabytes:F1} MB in {seconds:F1} s: " +
               $"{files / seconds:F1} files/s, {megabytes / seconds:F1} MB/s | table round trips {tableRoundTrips}{perFile}, " +
               $"blob requests {blobRequests}{blobsPerFile}";
    }
}
