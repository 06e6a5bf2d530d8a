using CloudAnon.Azure.Ingress;
using CloudAnon.Dicom;

namespace CloudAnon.Azure.Tests.Ingress;

/// <summary>Issue 5, part 2: concurrent processors with separate caches agree on every replacement through the one table.</summary>
public sealed class ConcurrencyTests
{
    private const int Files = 32;

    [Fact]
    public async Task ThirtyTwoProcessorsOnOneStudyCreateOneReplacementPerOriginalUid()
    {
        var pipeline = await Pipeline.CreateAsync();
        string study = SyntheticCt.NewUid();
        string[] series = [SyntheticCt.NewUid(), SyntheticCt.NewUid()];
        var originals = new List<(string Name, string Series, string Sop)>();
        for (int i = 0; i < Files; i++)
        {
            string sop = SyntheticCt.NewUid(), seriesUid = series[i % 2];
            string name = $"upload/{i}.dcm";
            await pipeline.UploadAsync(name, await SyntheticCt.CreateAsync(SyntheticCt.NewMarker(), study, seriesUid, sop));
            originals.Add((name, seriesUid, sop));
        }

        var processors = Enumerable.Range(0, Files).Select(_ => pipeline.NewProcessor().Processor).ToList();
        using var start = new SemaphoreSlim(0);
        var runs = originals.Select((original, i) => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await processors[i].ProcessAsync(original.Name);
        })).ToList();
        start.Release(Files);
        var outcomes = await Task.WhenAll(runs);

        Assert.All(outcomes, outcome => Assert.Equal(IngressOutcomeKind.Egress, outcome.Kind));
        var replaced = new List<(string Study, string Series, string Sop)>();
        foreach (var outcome in outcomes)
        {
            using var file = await DicomFile.OpenAsync(new MemoryStream(await Pipeline.DownloadAsync(pipeline.Containers.Egress, outcome.EgressBlobName!)));
            replaced.Add((file.Dataset.GetAsciiString(DicomTag.StudyInstanceUid)!, file.Dataset.GetAsciiString(DicomTag.SeriesInstanceUid)!,
                file.Dataset.GetAsciiString(DicomTag.SopInstanceUid)!));
        }

        // Across outputs: one study', one series' per original series, one SOP' per original SOP.
        Assert.Single(replaced.Select(r => r.Study).Distinct());
        for (int i = 0; i < Files; i++)
        {
            Assert.Single(replaced.Where((_, j) => originals[j].Series == originals[i].Series).Select(r => r.Series).Distinct());
        }

        Assert.Equal(2, replaced.Select(r => r.Series).Distinct().Count());
        Assert.Equal(Files, replaced.Select(r => r.Sop).Distinct().Count());
        Assert.Equal(Files, (await Pipeline.ListAsync(pipeline.Containers.Egress)).Count);

        // In the table: one UID row per original UID (1 study + 2 series + 32 instances), each replacement stored once.
        var uidRows = (await pipeline.ReadAllRowsAsync()).Where(row => row.GetString("Kind") == "Uid").ToList();
        Assert.Equal(1 + 2 + Files, uidRows.Count);
        var storedValues = uidRows.Select(row => row.GetString("Value")).ToHashSet();
        Assert.Equal(uidRows.Count, storedValues.Count);
        Assert.Subset(storedValues, replaced.SelectMany(r => new[] { r.Study, r.Series, r.Sop }).ToHashSet());
    }
}
