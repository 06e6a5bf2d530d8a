using System.Text;
using System.Text.RegularExpressions;
using CloudAnon.Core.Audit;
using CloudAnon.Core.Audit.Report;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.TestSupport;
using SkiaSharp;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// A run of the real engine with Clean Pixel Data on (three ultrasound frames with a name, ID, birth date and hospital
/// burned in, in two series; a second study; four files it refuses) writes its --audit records; <c>cloudanon report</c>
/// turns them into the page and the JSON. Judged by headless Chromium (the DOM it loads, a screenshot kept in
/// TestResults/report/), by SkiaSharp decoding every image, and by searching every byte of the page and the JSON for the
/// planted identifiers and input names. The outputs keep their input names (no --rename-by-uid), so the previews are
/// found by reading the outputs' headers.
/// </summary>
public sealed partial class ReportTests(ReportTests.Run run) : IClassFixture<ReportTests.Run>
{
    [Fact]
    public void The_page_loads_in_Chromium_with_the_counts_and_one_decodable_preview_per_pixel_cleaned_instance()
    {
        var report = run.Report(["--egress", run.Harness.Path("out")], "report.html");
        Assert.True(report.ExitCode == 0, report.Error);

        string dom = Chromium.DumpDom(run.Harness.Path("report.html"));
        var counts = CountsByKind(dom);
        Assert.Equal(2, Regex.Matches(dom, "<section class=\"study\"").Count);
        Assert.Equal(run.Deidentified.Count, counts["deidentified"].Sum());
        Assert.Contains(2, counts["series"]); // the ultrasound study's two series
        // Refusals are listed in their study's section, or apart when their record names no study.
        Assert.Equal(run.Refused.Count, Regex.Matches(dom, "<tr><td><code>refused-[0-9a-f]{32}</code></td>").Count);
        Assert.True(counts["quarantined"].Sum() <= run.Refused.Count);
        Assert.All(run.Refused.Select(r => r.Reason).Distinct(), reason => Assert.Contains($">{reason}<", dom));

        var images = Regex.Matches(dom, "<img [^>]*src=\"data:image/png;base64,([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(run.PixelCleaned.Count, images.Count);
        Assert.Equal(new[] { run.PixelCleaned.Count }, counts["pixel-cleaned"].Where(c => c > 0));
        foreach (var image in images)
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(image));
            Assert.True(bitmap is { Width: 320, Height: 240 }, "each preview decodes at 320 × 240 (the 640 × 480 frame halved)");
            AssertTextBoxesBlank(bitmap);
            Assert.True(Pixels(bitmap).Count(IsOutline) > 50, "the blanked boxes are outlined");
        }

        string screenshot = run.Harness.Path("report.png");
        Chromium.Screenshot(run.Harness.Path("report.html"), screenshot, 1280, 4000);
        KeepArtefacts(screenshot, run.Harness.Path("report.html"));
        using (var page = SKBitmap.Decode(screenshot))
        {
            Assert.True(page.Width >= 1280 && page.Height >= 4000, $"screenshot {page.Width} × {page.Height}");
            var colours = Pixels(page).Distinct().Count();
            Assert.True(colours > 200, $"the screenshot shows text and images ({colours} colours)");
            Assert.True(Pixels(page).Count(IsOutline) > 100, "the previews with their outlines are on screen");
        }
    }

    [Fact]
    public void The_page_refers_to_nothing_outside_itself_and_holds_no_identifier()
    {
        var report = run.Report(["--egress", run.Harness.Path("out")], "self-contained.html");
        Assert.True(report.ExitCode == 0, report.Error);
        string html = File.ReadAllText(run.Harness.Path("self-contained.html"));

        var references = Regex.Matches(html, @"(?:src|href|action|poster|srcset)\s*=\s*""([^""]*)""", RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(run.PixelCleaned.Count, references.Count);
        Assert.All(references, value => Assert.StartsWith("data:image/png;base64,", value, StringComparison.Ordinal));
        string text = WithoutDataUris(html);
        Assert.All(
            ["http:", "https:", "//", "url(", "@import", "<script", "<link", "<iframe", "<object", "<embed", "<base", "ftp:", "file:"],
            external => Assert.DoesNotContain(external, text, StringComparison.OrdinalIgnoreCase));
        AssertNoIdentifier(text);
    }

    [Fact]
    public void The_json_holds_the_same_content_in_its_documented_shape()
    {
        var json = run.Report(["--egress", run.Harness.Path("out"), "--json"], "report.json");
        Assert.True(json.ExitCode == 0, json.Error);
        byte[] bytes = File.ReadAllBytes(run.Harness.Path("report.json"));
        var report = AuditReport.FromJson(bytes);

        Assert.Equal(AuditReport.CurrentSchemaVersion, report.SchemaVersion);
        Assert.Equal(run.Deidentified.Select(r => r.StudyInstanceUid).Distinct().Order(StringComparer.Ordinal), report.Studies.Select(s => s.StudyInstanceUid));
        Assert.Equal(run.Deidentified.Count, report.Studies.Sum(s => s.InstancesDeidentified));
        Assert.Equal(run.Refused.Select(r => r.Reason).Order(), report.Studies.SelectMany(s => s.Quarantined).Concat(report.QuarantinedWithoutStudy).Select(q => q.Reason).Order());
        var cleaned = report.Studies.SelectMany(s => s.PixelCleaned).ToList();
        Assert.Equal(run.PixelCleaned.Select(r => r.SopInstanceUid).Order(StringComparer.Ordinal), cleaned.Select(c => c.SopInstanceUid).Order(StringComparer.Ordinal));
        foreach (var instance in cleaned)
        {
            Assert.NotNull(instance.Preview);
            Assert.NotEmpty(instance.BlankedBoxes);
            // Every line of burned-in text lies in a blanked box the record states.
            Assert.All(run.Frame.TextBoxes, text => Assert.Contains(instance.BlankedBoxes, box =>
                box.X <= text.X + text.Width / 2 && text.X + text.Width / 2 < box.Right && box.Y <= text.Y + text.Height / 2 && text.Y + text.Height / 2 < box.Bottom));
        }

        // Each action's instance count is the number of records stating it.
        var study = report.Studies.Single(s => s.PixelCleaned.Count > 0);
        var records = run.Deidentified.Where(r => r.StudyInstanceUid == study.StudyInstanceUid).ToList();
        Assert.All(study.Actions, action => Assert.Equal(records.Count(r => r.Attributes.Any(a => a.Path == action.Path && a.Action == action.Action)), action.Instances));
        Assert.Contains(study.Actions, a => a is { Path: "(0010,0010)", Keyword: "PatientName", Action: AttributeAction.Pseudonym });

        AssertNoIdentifier(WithoutDataUris(Encoding.UTF8.GetString(bytes)));
    }

    [Fact]
    public void Without_the_outputs_the_page_says_which_previews_are_missing_and_the_exit_code_is_1()
    {
        var report = run.Report([], "no-egress.html");

        Assert.Equal(1, report.ExitCode);
        Assert.Equal(run.PixelCleaned.Count, Regex.Matches(report.Error, "no preview of pixel-cleaned instance").Count);
        string html = File.ReadAllText(run.Harness.Path("no-egress.html"));
        Assert.Equal(run.PixelCleaned.Count, Regex.Matches(html, "No preview: the de-identified output was not found").Count);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_in_the_audit_folder_that_is_not_a_record_stops_the_report_before_anything_is_written()
    {
        string audit = run.Harness.Path("audit-with-stray");
        Directory.CreateDirectory(audit);
        foreach (var record in Directory.GetFiles(run.Harness.Path("audit"))) File.Copy(record, Path.Combine(audit, Path.GetFileName(record)));
        File.WriteAllText(Path.Combine(audit, "notes.json"), "{\"hello\":1}");

        var report = CliHarness.Process("report", "--audit", audit, "-o", run.Harness.Path("stray.html"));

        Assert.Equal(1, report.ExitCode);
        Assert.Contains("not an audit record", report.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(run.Harness.Path("stray.html")));
    }

    /// <summary>
    /// Inside each burned-in line's box (scaled to the preview, away from its edge) every pixel is blanked black or part of
    /// a blanked box's outline: the page shows no burned-in text.
    /// </summary>
    private void AssertTextBoxesBlank(SKBitmap preview)
    {
        double scale = (double)preview.Width / run.Frame.Width;
        foreach (var box in run.Frame.TextBoxes)
        {
            int left = (int)Math.Ceiling(box.X * scale) + 2, right = (int)Math.Floor(box.Right * scale) - 2;
            int top = (int)Math.Ceiling(box.Y * scale) + 2, bottom = (int)Math.Floor(box.Bottom * scale) - 2;
            for (int y = top; y < bottom; y++)
            {
                for (int x = left; x < right; x++)
                {
                    var pixel = preview.GetPixel(x, y);
                    Assert.True(IsOutline(pixel) || (pixel.Red < 8 && pixel.Green < 8 && pixel.Blue < 8), $"preview pixel {x},{y} inside a text line is {pixel}");
                }
            }
        }
    }

    private void AssertNoIdentifier(string text)
    {
        foreach (var identifier in run.Identifiers)
        {
            Assert.DoesNotContain(identifier, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The screenshot and the page it shows, where CI collects test results (TestResults/ at the repository root).</summary>
    private static void KeepArtefacts(params string[] files)
    {
        string folder = Path.Combine(Corpus.RepositoryRoot, "TestResults", "report");
        Directory.CreateDirectory(folder);
        foreach (var file in files) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
    }

    private static Dictionary<string, List<int>> CountsByKind(string dom) =>
        DataCount().Matches(dom).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Select(m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList());

    private static string WithoutDataUris(string text) => Regex.Replace(text, "data:image/png;base64,[A-Za-z0-9+/=]+", "data:");

    private static IEnumerable<SKColor> Pixels(SKBitmap bitmap) => bitmap.Pixels;

    private static bool IsOutline(SKColor pixel) => pixel.Red > 200 && pixel.Green < 60 && pixel.Blue < 60;

    [GeneratedRegex("data-count=\"([a-z-]+)\">([0-9]+)<")]
    private static partial Regex DataCount();

    /// <summary>The run, once for all the tests: inputs with planted identifiers, `cloudanon -e --audit`, its records.</summary>
    public sealed class Run : IDisposable
    {
        public Run()
        {
            Harness = new CliHarness();
            Frame = PlantedUltrasound.Frame;
            var names = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                names.Add($"{PlantedPhi.Prefix}_DOE_JANE_US{i}.dcm");
                PlantedUltrasound.Write(Harness.Path("in", names[^1]), series: i % 2, instance: i);
            }
            names.Add($"{PlantedPhi.Prefix}_MR.dcm");
            Harness.Copy(CliHarness.ExplicitMr, "in", names[^1]);
            names.Add($"{PlantedPhi.Prefix}_ALREADYDEID.dcm");
            Harness.Copy("phi/dcm_qa_deident_00001_already_deidentified.dcm", "in", names[^1]);
            names.Add($"{PlantedPhi.Prefix}_NOTDICOM.pdf");
            Harness.Copy(CliHarness.NotDicom, "in", names[^1]);
            names.Add($"{PlantedPhi.Prefix}_JPEGXL.dcm");
            Harness.Copy("ts/jpegxl/will-jxl_US_multiframe.dcm", "in", names[^1]);

            var anon = CliHarness.InProcess(["-e", "--irreversible", "--option", "clean-pixel-data=on", "--continue", "--audit", Harness.Path("audit"), "-i", Harness.Path("in"), "-o", Harness.Path("out")]);
            if (anon.ExitCode != 1) throw new InvalidOperationException($"the run should refuse three files: exit {anon.ExitCode}: {anon.Error}");
            var records = Directory.GetFiles(Harness.Path("audit")).Select(path => AuditRecord.FromJson(File.ReadAllBytes(path))).ToList();
            Deidentified = [.. records.Where(r => r.Outcome == AuditOutcome.Deidentified)];
            Refused = [.. records.Where(r => r.Outcome == AuditOutcome.Refused)];
            PixelCleaned = [.. Deidentified.Where(r => r.Pixels?.Outcome == PixelOutcome.Cleaned)];
            if (Deidentified.Count != 4 || Refused.Count != 3 || PixelCleaned.Count != 3)
            {
                throw new InvalidOperationException($"expected 4 de-identified (3 pixel-cleaned) and 3 refused: {Deidentified.Count} ({PixelCleaned.Count}), {Refused.Count}: {anon.Error}");
            }

            string mrStudy;
            using (var mr = DicomFile.OpenAsync(File.OpenRead(Corpus.Get(CliHarness.ExplicitMr).FullPath)).GetAwaiter().GetResult())
            {
                mrStudy = mr.Dataset.GetAsciiString(DicomTag.StudyInstanceUid)!;
            }
            Identifiers =
            [
                .. PlantedUltrasound.Identifiers, mrStudy, "dcm_qa_deident", "HelloWorld", "will-jxl", "MR_small",
                .. names, .. names.Select(Path.GetFileNameWithoutExtension).OfType<string>(),
            ];
        }

        public CliHarness Harness { get; }

        /// <summary>The frame the ultrasound files were rendered like (the same text boxes at every seed).</summary>
        public SyntheticFrame Frame { get; }

        public List<AuditRecord> Deidentified { get; }
        public List<AuditRecord> Refused { get; }
        public List<AuditRecord> PixelCleaned { get; }

        /// <summary>Every planted value, original UID and input name: none may appear in the page or the JSON.</summary>
        public string[] Identifiers { get; }

        /// <summary>Runs the built cloudanon.dll: report --audit DIR [arguments] -o NAME.</summary>
        public CliHarness.Run Report(string[] arguments, string output) =>
            CliHarness.Process(["report", "--audit", Harness.Path("audit"), .. arguments, "-o", Harness.Path(output)]);

        public void Dispose() => Harness.Dispose();
    }
}
