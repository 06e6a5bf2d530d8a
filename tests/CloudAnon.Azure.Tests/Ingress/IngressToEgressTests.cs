using CloudAnon.Azure.Ingress;
using CloudAnon.Dicom;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>Issue 5, part 1: DICOM reaches egress under its de-identified UID path; everything else reaches quarantine; no PHI marker anywhere.</summary>
public sealed class IngressToEgressTests
{
    [Fact]
    public async Task FilesGoToEgressOrQuarantineAndNoMarkerLeavesIngress()
    {
        var pipeline = await Pipeline.CreateAsync();
        var (processor, _, log) = pipeline.NewProcessor();
        string study = SyntheticCt.NewUid(), series = SyntheticCt.NewUid();
        var good = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), study, series, SyntheticCt.NewUid());
        var large = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), study, series, SyntheticCt.NewUid(), pixelBytes: 512 * 400);
        var burnedIn = await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), study, series, SyntheticCt.NewUid(), burnedInAnnotation: "YES");
        var inputs = new (string Content, byte[] Bytes, IngressOutcomeKind Kind, string? Reason)[]
        {
            ("good", good, IngressOutcomeKind.Egress, null),
            ("large", large, IngressOutcomeKind.Egress, null),
            ("text", System.Text.Encoding.UTF8.GetBytes($"not DICOM: {SyntheticCt.NewMarker()}"), IngressOutcomeKind.Quarantine, QuarantineReasons.NotDicom),
            ("cut-in-header", good[..300], IngressOutcomeKind.Quarantine, QuarantineReasons.Truncated),
            ("cut-in-pixels", large[..(large.Length - 100_000)], IngressOutcomeKind.Quarantine, QuarantineReasons.Unparseable),
            ("burned-in", burnedIn, IngressOutcomeKind.Quarantine, QuarantineReasons.From(DeidentificationFailure.BurnedInAnnotation)),
        };

        var names = new List<string>();
        foreach (var input in inputs)
        {
            // The marker in the name, a folder, metadata and tags, as uploaders put patient names and MRNs there.
            string marker = SyntheticCt.NewMarker();
            string name = $"{marker}/Patient {marker} {input.Content}.dcm";
            names.Add(name);
            await pipeline.UploadAsync(name, input.Bytes, new Dictionary<string, string> { ["patient"] = marker, ["mrn"] = marker });
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            var outcome = await processor.ProcessAsync(names[i]);
            Assert.Equal((inputs[i].Kind, inputs[i].Reason), (outcome.Kind, outcome.ReasonCode));
            Assert.Equal(inputs[i].Bytes.Length, outcome.Bytes);
        }

        var egress = await Pipeline.ListAsync(pipeline.Containers.Egress);
        Assert.Equal(2, egress.Count);
        foreach (var item in egress)
        {
            var bytes = await Pipeline.DownloadAsync(pipeline.Containers.Egress, item.Name);
            Assert.False(SyntheticCt.ContainsMarker(bytes), "marker in egress bytes");
            Assert.False(SyntheticCt.ContainsMarker(item.Name));
            Assert.Empty(item.Metadata);
            Assert.Empty(item.Tags ?? new Dictionary<string, string>());
            Assert.Equal(IngressProcessor.DicomContentType, item.Properties.ContentType);

            using var file = await DicomFile.OpenAsync(new MemoryStream(bytes));
            string expected = $"{file.Dataset.GetAsciiString(DicomTag.StudyInstanceUid)}/{file.Dataset.GetAsciiString(DicomTag.SeriesInstanceUid)}/" +
                              $"{file.Dataset.GetAsciiString(DicomTag.SopInstanceUid)}.dcm";
            Assert.Equal(expected, item.Name);
            Assert.DoesNotContain(study, item.Name, StringComparison.Ordinal);
        }

        var quarantine = await Pipeline.ListAsync(pipeline.Containers.Quarantine);
        Assert.Equal(4, quarantine.Count);
        var quarantinedBytes = new List<byte[]>();
        foreach (var item in quarantine)
        {
            Assert.False(SyntheticCt.ContainsMarker(item.Name));
            Assert.Equal([IngressMetadata.Reason], item.Metadata.Keys);
            Assert.Contains(item.Metadata[IngressMetadata.Reason], inputs.Select(i => i.Reason));
            Assert.Empty(item.Tags ?? new Dictionary<string, string>());
            quarantinedBytes.Add(await Pipeline.DownloadAsync(pipeline.Containers.Quarantine, item.Name));
        }

        // Quarantine holds the original bytes, unchanged.
        foreach (var input in inputs.Where(i => i.Kind == IngressOutcomeKind.Quarantine))
        {
            Assert.Contains(quarantinedBytes, bytes => bytes.AsSpan().SequenceEqual(input.Bytes));
        }

        foreach (var row in await pipeline.ReadAllRowsAsync())
        {
            foreach (var (property, value) in row)
            {
                Assert.False(SyntheticCt.ContainsMarker(property) || SyntheticCt.ContainsMarker(value?.ToString()), $"marker in table property {property}");
            }
        }

        Assert.NotEmpty(log.Entries);
        foreach (var entry in log.Entries)
        {
            Assert.False(SyntheticCt.ContainsMarker(entry.Message), $"marker in log entry: {entry.Message}");
            Assert.DoesNotContain(study, entry.Message, StringComparison.Ordinal);
        }

        // Kept ingress blobs are marked, so backfill and re-deliveries skip them.
        foreach (var item in await Pipeline.ListAsync(pipeline.Containers.Ingress))
        {
            Assert.True(item.Metadata.ContainsKey(IngressMetadata.Processed));
        }
    }
}
