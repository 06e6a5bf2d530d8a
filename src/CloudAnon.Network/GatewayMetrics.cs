using System.Diagnostics.Metrics;
using CloudAnon.Network.Storage;

namespace CloudAnon.Network;

/// <summary>
/// The "CloudAnon.Gateway" meter: associations by outcome, instances by outcome and protocol, and the size and time of
/// each instance. Attributes are fixed words only, never an AE title, an address or a value from a data set.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "CloudAnon.Gateway";
    public const string AssociationsInstrument = "cloudanon.gateway.associations";
    public const string InstancesInstrument = "cloudanon.gateway.instances";
    public const string BytesInstrument = "cloudanon.gateway.bytes";
    public const string DurationInstrument = "cloudanon.gateway.duration";

    private readonly Meter _meter;
    private readonly Counter<long> _associations;
    private readonly Counter<long> _instances;
    private readonly Histogram<long> _bytes;
    private readonly Histogram<double> _duration;

    public GatewayMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _associations = _meter.CreateCounter<long>(AssociationsInstrument, "{association}", "DICOM associations and STOW-RS requests, by outcome.");
        _instances = _meter.CreateCounter<long>(InstancesInstrument, "{instance}", "Instances received, by outcome and protocol.");
        _bytes = _meter.CreateHistogram<long>(BytesInstrument, "By", "Size of each received data set.");
        _duration = _meter.CreateHistogram<double>(DurationInstrument, "s", "Time from an instance's first byte to its response.");
    }

    public void RecordAssociation(string outcome) => _associations.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordInstance(string protocol, StoreOutcome outcome, long bytes, TimeSpan duration)
    {
        var tags = new[] { new KeyValuePair<string, object?>("outcome", outcome.Name()), new KeyValuePair<string, object?>("protocol", protocol) };
        _instances.Add(1, tags);
        _bytes.Record(bytes, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void Dispose() => _meter.Dispose();
}
