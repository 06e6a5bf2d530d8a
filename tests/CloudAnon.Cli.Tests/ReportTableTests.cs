using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using CloudAnon.Azure.Audit;
using CloudAnon.Azure.Ingress;
using CloudAnon.Core.Audit;
using CloudAnon.Core.Audit.Report;
using CloudAnon.TestSupport;
using SkiaSharp;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// The table form on Azurite: <c>cloudanon process</c> de-identifies a study with Clean Pixel Data on (two ultrasound
/// instances with burned-in text, one cut short), recording to the audit table; <c>cloudanon report --connection …
/// --study UID</c> reads that study's partition and the egress blobs, and writes the page and the JSON; <c>--no-study</c>
/// lists the instance cut short, whose study the pipeline could not read.
/// </summary>
public sealed class ReportTableTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task One_study_from_the_audit_table_with_previews_from_egress_and_quarantine_names_from_its_rows()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        string ingress = AzuriteInstance.NewContainerName("ingress"), egress = AzuriteInstance.NewContainerName("egress");
        string quarantine = AzuriteInstance.NewContainerName("quarantine"), mappings = AzuriteInstance.NewTableName("mappings");
        byte[] key = RandomNumberGenerator.GetBytes(32);
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString,
            ["CLOUDANON_MAPPING_KEY"] = Convert.ToBase64String(key),
        };
        // The pipeline's audit table and container keep their default names (the study partitions are this key's own).
        await azurite.CreateTableServiceClient().CreateTableIfNotExistsAsync(AuditTable.DefaultTableName);
        await azurite.CreateBlobServiceClient().GetBlobContainerClient(AuditTable.DefaultContainerName).CreateIfNotExistsAsync();
        var ingressClient = azurite.CreateBlobServiceClient().GetBlobContainerClient(ingress);
        await ingressClient.CreateAsync();
        string[] names = [$"{PlantedPhi.Prefix}_DOE_A.dcm", $"{PlantedPhi.Prefix}_DOE_B.dcm", $"{PlantedPhi.Prefix}_DOE_CUT.dcm"];
        for (int i = 0; i < names.Length; i++)
        {
            PlantedUltrasound.Write(_harness.Path("in", names[i]), series: 0, instance: i);
        }
        byte[] whole = await File.ReadAllBytesAsync(_harness.Path("in", names[2]));
        await File.WriteAllBytesAsync(_harness.Path("in", names[2]), whole[..(whole.Length * 2 / 3)]); // pixel data cut short
        foreach (var name in names) await ingressClient.GetBlobClient(name).UploadAsync(_harness.Path("in", name));

        var process = CliHarness.Process(
            ["process", "--irreversible", "--option", "clean-pixel-data=on", "--ingress", ingress, "--egress", egress, "--quarantine", quarantine, "--table", mappings],
            environment);
        Assert.True(process.ExitCode == 0, process.Error);
        var egressNames = azurite.CreateBlobServiceClient().GetBlobContainerClient(egress).GetBlobs().Select(b => b.Name).ToList();
        Assert.Equal(2, egressNames.Count);
        string study = egressNames[0][..egressNames[0].IndexOf('/')];
        var audit = new AuditTable(azurite.CreateTableServiceClient().GetTableClient(AuditTable.DefaultTableName),
            azurite.CreateBlobServiceClient().GetBlobContainerClient(AuditTable.DefaultContainerName), key);
        var rows = await audit.ReadStudyWithKeysAsync(study);

        var page = CliHarness.Process(["report", "--study", study, "--egress", egress, "-o", _harness.Path("study.html")], environment);
        Assert.True(page.ExitCode == 0, page.Error);
        var json = CliHarness.Process(["report", "--study", study, "--egress", egress, "--json", "-o", _harness.Path("study.json")], environment);
        Assert.True(json.ExitCode == 0, json.Error);

        var report = AuditReport.FromJson(await File.ReadAllBytesAsync(_harness.Path("study.json")));
        var section = Assert.Single(report.Studies);
        Assert.Equal(study, section.StudyInstanceUid);
        Assert.Equal(rows.Count(r => r.Record.Outcome == AuditOutcome.Deidentified), section.InstancesDeidentified);
        Assert.Equal(2, section.InstancesDeidentified);
        // Refused instances of the study are listed by their row keys, the names of their blobs in quarantine. The
        // instance cut short is quarantined, but its record names no study (the pipeline could not read one), so it
        // is not among them.
        var quarantined = azurite.CreateBlobServiceClient().GetBlobContainerClient(quarantine).GetBlobs().Select(b => b.Name).ToList();
        Assert.Single(quarantined);
        Assert.Equal(rows.Where(r => r.Record.Outcome == AuditOutcome.Refused).Select(r => r.Name).Order(), section.Quarantined.Select(q => q.Name).Order());
        Assert.All(section.Quarantined, q => Assert.Contains(q.Name, quarantined));
        Assert.Equal(2, section.PixelCleaned.Count);
        Assert.All(section.PixelCleaned, instance =>
        {
            Assert.True(instance.Preview is { } preview && preview.StartsWith("data:image/png;base64,", StringComparison.Ordinal), instance.PreviewProblem);
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(instance.Preview![22..]));
            Assert.Equal((320, 240), (bitmap.Width, bitmap.Height));
        });

        string dom = Chromium.DumpDom(_harness.Path("study.html"));
        Assert.Equal(2, Regex.Matches(dom, "<img [^>]*src=\"data:image/png;base64,").Count);
        Assert.Contains($"data-count=\"deidentified\">{section.InstancesDeidentified}<", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"unattributed\"", dom, StringComparison.Ordinal);

        // The instance cut short: in quarantine under its opaque name, its record in ~no-study, which --no-study reads
        // (the default table is shared by the tests on this Azurite, so other refusals without a study may be there too).
        string cut = Assert.Single(quarantined);
        var cutBlob = Assert.Single(azurite.CreateBlobServiceClient().GetBlobContainerClient(quarantine).GetBlobs(new GetBlobsOptions { Traits = BlobTraits.Metadata }));
        string reason = cutBlob.Metadata[IngressMetadata.Reason];
        var unattributed = CliHarness.Process(["report", "--no-study", "-o", _harness.Path("no-study.html")], environment);
        Assert.True(unattributed.ExitCode == 0, unattributed.Error);
        var unattributedJson = CliHarness.Process(["report", "--no-study", "--json", "-o", _harness.Path("no-study.json")], environment);
        Assert.True(unattributedJson.ExitCode == 0, unattributedJson.Error);
        var withoutStudy = AuditReport.FromJson(await File.ReadAllBytesAsync(_harness.Path("no-study.json")));
        Assert.Empty(withoutStudy.Studies);
        Assert.Equal(reason, Assert.Single(withoutStudy.QuarantinedWithoutStudy, q => q.Name == cut).Reason);
        string unattributedDom = Chromium.DumpDom(_harness.Path("no-study.html"));
        Assert.Matches($"<section class=\"unattributed\">[\\s\\S]*<code>{cut}</code></td><td>{reason}</td>", unattributedDom);
        Assert.Empty(Regex.Matches(unattributedDom, "<section class=\"study\">"));

        string text = Regex.Replace(string.Concat(await Task.WhenAll(
                new[] { "study.html", "study.json", "no-study.html", "no-study.json" }.Select(name => File.ReadAllTextAsync(_harness.Path(name))))),
            "data:image/png;base64,[A-Za-z0-9+/=]+", "data:");
        Assert.All([.. PlantedUltrasound.Identifiers, .. names, ingress], identifier => Assert.DoesNotContain(identifier, text, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_table_form_needs_a_study_or_no_study_and_the_folder_form_takes_neither()
    {
        Directory.CreateDirectory(_harness.Path("audit"));
        var neither = CliHarness.Process(["report", "--connection", "UseDevelopmentStorage=true", "-o", _harness.Path("none.html")]);
        var both = CliHarness.Process(["report", "--audit", _harness.Path("audit"), "--no-study", "-o", _harness.Path("none.html")]);

        Assert.Equal((2, 2), (neither.ExitCode, both.ExitCode));
        Assert.Contains("--study UID or --no-study", neither.Error, StringComparison.Ordinal);
        Assert.Contains("--no-study", both.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("none.html")));
    }

    [Fact]
    public async Task A_study_the_table_does_not_hold_writes_nothing_and_says_so()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        await new TableServiceClient(azurite.ConnectionString).CreateTableIfNotExistsAsync(AuditTable.DefaultTableName);
        var run = CliHarness.Process(
            ["report", "--connection", azurite.ConnectionString, "--study", "2.25.1234", "-o", _harness.Path("none.html")],
            new Dictionary<string, string> { ["CLOUDANON_MAPPING_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no record of study 2.25.1234", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_harness.Path("none.html")));
    }
}
