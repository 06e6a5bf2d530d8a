using System.Diagnostics;
using System.Diagnostics.Metrics;
using CloudAnon.Azure.Ingress;

namespace CloudAnon.Functions;

/// <summary>
/// The "CloudAnon" meter: files by outcome, and the duration and size of each. Attributes are the outcome and the
/// reason code only (fixed words), never a blob name or a value from a file.
/// </summary>
public sealed class IngressMetrics
{
    public const string MeterName = "CloudAnon";
    public const string FilesInstrument = "cloudanon.ingress.files";
    public const string DurationInstrument = "cloudanon.ingress.duration";
    public const string BytesInstrument = "cloudanon.ingress.bytes";
    public const string OutcomeAttribute = "outcome";
    public const string ReasonAttribute = "reason";

    /// <summary>Outcome values: where the file went, or that this delivery failed and will be retried.</summary>
    public static class Outcomes
    {
        public const string Egress = "egress";
        public const string Quarantine = "quarantine";
        public const string AlreadyDone = "already-done";
        public const string Failed = "failed";
    }

    private readonly Counter<long> _files;
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _bytes;

    public IngressMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _files = meter.CreateCounter<long>(FilesInstrument, "{file}", "Ingress blobs handled, by outcome and reason code.");
        _duration = meter.CreateHistogram<double>(DurationInstrument, "s", "Time to handle one ingress blob.");
        _bytes = meter.CreateHistogram<long>(BytesInstrument, "By", "Size of each handled ingress blob.");
    }

    public void Record(IngressOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var name = outcome.Kind switch
        {
            IngressOutcomeKind.Egress => Outcomes.Egress,
            IngressOutcomeKind.Quarantine => Outcomes.Quarantine,
            _ => Outcomes.AlreadyDone,
        };
        Record(name, outcome.ReasonCode, outcome.Duration, outcome.Bytes);
    }

    /// <summary>A failed delivery: the reason is a failure category (see <see cref="IngressFailure"/>); the size may be unknown.</summary>
    public void RecordFailure(string reason, TimeSpan duration) => Record(Outcomes.Failed, reason, duration, bytes: null);

    private void Record(string outcome, string? reason, TimeSpan duration, long? bytes)
    {
        var tags = new TagList { { OutcomeAttribute, outcome }, { ReasonAttribute, reason ?? "" } };
        _files.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
        if (bytes is { } size)
        {
            _bytes.Record(size, tags);
        }
    }
}
