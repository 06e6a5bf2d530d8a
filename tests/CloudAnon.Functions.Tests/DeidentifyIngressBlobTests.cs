using System.Diagnostics.Metrics;
using System.Text;
using CloudAnon.Azure.Ingress;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Functions.Tests;

/// <summary>The function on real Azurite clients, wired by AddCloudAnon as Program.cs wires it.</summary>
public sealed class DeidentifyIngressBlobTests
{
    private const string CtFile = "modality/CT/CT_small_GE.dcm";
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);

    [Fact]
    public async Task BlobInIngress_LandsDeidentifiedInEgress_EncryptedToTheConfiguredCertificate()
    {
        using var certificate = TestCertificates.CreateRsa("CloudAnon functions test");
        var settings = await FunctionApp.DefaultSettingsAsync();
        settings[SettingNames.CertificatePath] = FunctionApp.WritePemCertificate(certificate);
        await using var app = await FunctionApp.StartAsync(settings);
        using var measurements = new OutcomeRecorder(app.Services);
        using var original = await DicomFile.OpenAsync(File.OpenRead(Corpus.Get(CtFile).FullPath));
        var originalName = original.Dataset.GetAsciiString(PatientName)!.Trim();
        var blobName = $"site-a/{originalName}/scan.dcm";

        await app.UploadAsync(blobName, CtFile);
        await app.InvokeAsync(blobName);

        Assert.Empty((await BlobListing.ListAsync(app.Containers.Quarantine)).Select(blob => blob.Metadata[IngressMetadata.Reason]));
        var egress = Assert.Single(await BlobListing.ListAsync(app.Containers.Egress));
        Assert.Matches(@"^[0-9.]+/[0-9.]+/[0-9.]+\.dcm$", egress.Name);
        using var deidentified = await FunctionApp.OpenAsync(app.Containers.Egress, egress.Name);
        Assert.NotEqual(originalName, deidentified.Dataset.GetAsciiString(PatientName)?.Trim());
        var egressBytes = (await app.Containers.Egress.GetBlobClient(egress.Name).DownloadContentAsync()).Value.Content.ToArray();
        Assert.DoesNotContain(originalName, Encoding.Latin1.GetString(egressBytes), StringComparison.Ordinal);
        Assert.Equal(certificate.SerialNumber, EncryptedAttributesRecipient.SerialNumber(deidentified));

        var recorded = Assert.Single(measurements.Files);
        Assert.Equal(IngressMetrics.Outcomes.Egress, recorded.Outcome);
        Assert.Equal(Corpus.Get(CtFile).Bytes, Assert.Single(measurements.Bytes));
        Assert.DoesNotContain(measurements.AllTagValues, value => value.Contains(originalName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlobThatKeepsFailing_IsRetriedThenQuarantinedAsRetriesExhausted()
    {
        using var certificate = TestCertificates.CreateRsa("CloudAnon functions test");
        var settings = await FunctionApp.DefaultSettingsAsync();
        settings[SettingNames.CertificatePath] = FunctionApp.WritePemCertificate(certificate);
        await using var app = await FunctionApp.StartAsync(settings);
        using var measurements = new OutcomeRecorder(app.Services);
        // An environment failure, not the file's: the mapping table is gone, so every delivery fails the same way.
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        await azurite.CreateTableServiceClient().DeleteTableAsync(settings[SettingNames.MappingTable]!);
        const string blobName = "keeps-failing.dcm";
        await app.UploadAsync(blobName, CtFile);

        for (var delivery = 1; delivery < RetryBudget.MaxDeliveries; delivery++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => app.InvokeAsync(blobName));
            Assert.Empty(await BlobListing.ListAsync(app.Containers.Quarantine));
        }

        await app.InvokeAsync(blobName); // the last delivery succeeds by quarantining

        var quarantined = Assert.Single(await BlobListing.ListAsync(app.Containers.Quarantine));
        Assert.Equal(QuarantineReasons.RetriesExhausted, quarantined.Metadata[IngressMetadata.Reason]);
        Assert.Empty(await BlobListing.ListAsync(app.Containers.Egress));
        var ingress = Assert.Single(await BlobListing.ListAsync(app.Containers.Ingress));
        Assert.Equal(IngressMetadata.ProcessedQuarantine, ingress.Metadata[IngressMetadata.Processed]);
        Assert.Equal(
            Enumerable.Repeat(IngressMetrics.Outcomes.Failed, RetryBudget.MaxDeliveries).Append(IngressMetrics.Outcomes.Quarantine),
            measurements.Files.Select(f => f.Outcome));
        Assert.Equal(QuarantineReasons.RetriesExhausted, measurements.Files[^1].Reason);
        Assert.DoesNotContain(app.Log.Entries, entry => entry.Message.Contains(blobName, StringComparison.Ordinal));

        await app.InvokeAsync(blobName); // a late re-delivery finds the blob settled
        Assert.Single(await BlobListing.ListAsync(app.Containers.Quarantine));
    }

    [Fact]
    public void HostJsonPoisonThreshold_MatchesTheRetryBudget()
    {
        using var hostJson = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus.RepositoryRoot, "host.json")));
        var threshold = hostJson.RootElement.GetProperty("extensions").GetProperty("blobs").GetProperty("poisonBlobThreshold").GetInt32();
        Assert.Equal(RetryBudget.MaxDeliveries, threshold);
    }
}

/// <summary>Listens to the "CloudAnon" meter of one container (the meter factory scopes it) and keeps what was recorded.</summary>
internal sealed class OutcomeRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Outcome, string Reason)> _files = [];
    private readonly List<long> _bytes = [];
    private readonly List<string> _tagValues = [];

    public OutcomeRecorder(IServiceProvider services)
    {
        var meterFactory = (IMeterFactory)services.GetService(typeof(IMeterFactory))!;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IngressMetrics.MeterName && instrument.Meter.Scope == meterFactory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument.Name, 0, tags));
        _listener.Start();
    }

    public IReadOnlyList<(string Outcome, string Reason)> Files { get { lock (_files) return [.. _files]; } }

    public IReadOnlyList<long> Bytes { get { lock (_files) return [.. _bytes]; } }

    public IReadOnlyList<string> AllTagValues { get { lock (_files) return [.. _tagValues]; } }

    private void Keep(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string outcome = "", reason = "";
        lock (_files)
        {
            foreach (var tag in tags)
            {
                Assert.Contains(tag.Key, new[] { IngressMetrics.OutcomeAttribute, IngressMetrics.ReasonAttribute });
                _tagValues.Add(tag.Value?.ToString() ?? "");
                if (tag.Key == IngressMetrics.OutcomeAttribute) outcome = (string)tag.Value!;
                else reason = (string)tag.Value!;
            }

            if (instrument == IngressMetrics.FilesInstrument) _files.Add((outcome, reason));
            if (instrument == IngressMetrics.BytesInstrument) _bytes.Add(value);
        }
    }

    public void Dispose() => _listener.Dispose();
}
