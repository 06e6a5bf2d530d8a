using System.Diagnostics;
using CloudAnon.Azure.Ingress;

namespace CloudAnon.Cli.Process;

/// <summary>Thread-safe counts of one <c>cloudanon process</c> run, and their one-line rendering.</summary>
internal sealed class ProcessTally
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private long _egress;
    private long _quarantine;
    private long _alreadyDone;
    private long _skipped;
    private long _failed;
    private long _bytes;

    public long Failed => Interlocked.Read(ref _failed);

    public void Add(IngressOutcome outcome)
    {
        Interlocked.Add(ref _bytes, outcome.Bytes);
        switch (outcome.Kind)
        {
            case IngressOutcomeKind.Egress:
                Interlocked.Increment(ref _egress);
                break;
            case IngressOutcomeKind.Quarantine:
                Interlocked.Increment(ref _quarantine);
                break;
            default:
                Interlocked.Increment(ref _alreadyDone);
                break;
        }
    }

    /// <summary>A blob the listing showed as processed before (its marker), not opened at all.</summary>
    public void AddSkipped() => Interlocked.Increment(ref _skipped);

    public void AddFailed() => Interlocked.Increment(ref _failed);

    public string Describe(long tableRoundTrips)
    {
        double seconds = Math.Max(_elapsed.Elapsed.TotalSeconds, 1e-3);
        long egress = Interlocked.Read(ref _egress), quarantine = Interlocked.Read(ref _quarantine);
        long alreadyDone = Interlocked.Read(ref _alreadyDone), failed = Failed;
        long files = egress + quarantine + alreadyDone + failed;
        double megabytes = Interlocked.Read(ref _bytes) / 1e6;
        string perFile = files > 0 ? $" ({(double)tableRoundTrips / files:F2}/file)" : "";
        return $"files {files}: egress {egress}, quarantine {quarantine}, already done {alreadyDone}, failed {failed}, " +
               $"skipped (marked) {Interlocked.Read(ref _skipped)} | {megabytes:F1} MB in {seconds:F1} s: " +
               $"{files / seconds:F1} files/s, {megabytes / seconds:F1} MB/s | table round trips {tableRoundTrips}{perFile}";
    }
}
