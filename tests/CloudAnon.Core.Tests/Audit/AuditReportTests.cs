using System.Text.RegularExpressions;
using CloudAnon.Core.Audit;
using CloudAnon.Core.Audit.Report;
using CloudAnon.Pixels;

namespace CloudAnon.Core.Tests.Audit;

/// <summary>
/// The report built from records: grouped by study, each action counted once per instance that took it, keywords from
/// the dictionary, refusals without a study apart; and the page HTML-encodes every text it is given.
/// </summary>
public sealed class AuditReportTests
{
    private static readonly AuditProfile Profile = new("2024b", ["clean-pixel-data=on"], Reversible: false);

    [Fact]
    public void Records_are_grouped_by_study_and_each_action_counts_the_instances_that_took_it()
    {
        NamedAuditRecord[] records =
        [
            Deidentified("2.25.1", "2.25.11", "2.25.111", [new("(0010,0010)", AttributeAction.Pseudonym, 1), new("(0040,A730)/(0040,A160)", AttributeAction.Removed, 3)]),
            Deidentified("2.25.1", "2.25.12", "2.25.112", [new("(0010,0010)", AttributeAction.Pseudonym, 1), new("(0009,1010)", AttributeAction.Removed, 1)], cleaned: true),
            Deidentified("2.25.2", "2.25.21", "2.25.211", [new("(0010,0010)", AttributeAction.Pseudonym, 1)]),
            new("refused-a", AuditRecord.Refused(new DeidentificationOptions(), "Truncated", "2.25.1")),
            new("refused-b", AuditRecord.Refused(new DeidentificationOptions(), "NotDicom")),
        ];

        var report = AuditReportBuilder.Build(records);

        Assert.Equal(["2.25.1", "2.25.2"], report.Studies.Select(s => s.StudyInstanceUid));
        var study = report.Studies[0];
        Assert.Equal((2, 2, 1), (study.Series, study.InstancesDeidentified, study.InstancesQuarantined));
        Assert.Equal([new ReasonCount("Truncated", 1)], study.QuarantinedByReason);
        Assert.Equal([new QuarantinedInstance("refused-a", "Truncated")], study.Quarantined);
        Assert.Equal(new ActionCount("(0010,0010)", "PatientName", AttributeAction.Pseudonym, 2, 2), study.Actions.Single(a => a.Path == "(0010,0010)"));
        Assert.Equal(new ActionCount("(0040,A730)/(0040,A160)", "ContentSequence / TextValue", AttributeAction.Removed, 1, 3), study.Actions.Single(a => a.Path.StartsWith("(0040", StringComparison.Ordinal)));
        Assert.Equal("?", study.Actions.Single(a => a.Path == "(0009,1010)").Keyword);
        var cleaned = Assert.Single(study.PixelCleaned);
        Assert.Equal(("2.25.112", new PixelRegion(1, 2, 30, 10)), (cleaned.SopInstanceUid, Assert.Single(cleaned.BlankedBoxes)));
        Assert.Equal([new QuarantinedInstance("refused-b", "NotDicom")], report.QuarantinedWithoutStudy);

        // The JSON reads back to the same report.
        var again = AuditReport.FromJson(report.ToJson());
        Assert.Equal(report.Studies.SelectMany(s => s.Actions), again.Studies.SelectMany(s => s.Actions));
        Assert.Equal(report.QuarantinedWithoutStudy, again.QuarantinedWithoutStudy);
    }

    [Fact]
    public void The_page_encodes_every_text_it_is_given()
    {
        const string hostile = "<script>alert(1)</script><img src=\"http://x/y\">&'\"";
        var report = AuditReportBuilder.Build([new(hostile, AuditRecord.Refused(new DeidentificationOptions(), hostile, hostile))]);

        string html = ReportPage.Render(report);

        // The text shows as text: no element, and no attribute, can come from it.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;http://x/y&quot;&gt;&amp;&#39;&quot;", html, StringComparison.Ordinal);
        Assert.Empty(Regex.Matches(html, @"\b(src|href)\s*=\s*""", RegexOptions.IgnoreCase));
    }

    private static NamedAuditRecord Deidentified(string study, string series, string sop, AttributeAudit[] attributes, bool cleaned = false) =>
        new(sop, new AuditRecord
        {
            Outcome = AuditOutcome.Deidentified,
            CloudAnonVersion = "test",
            Profile = Profile,
            StudyInstanceUid = study,
            SeriesInstanceUid = series,
            SopInstanceUid = sop,
            Attributes = attributes,
            Pixels = cleaned
                ? new PixelAudit(CandidateReason.Modality, PixelOutcome.Cleaned, 1, 0, 300, [], null) { BlankedBoxes = [new PixelRegion(1, 2, 30, 10)] }
                : new PixelAudit(CandidateReason.None, PixelOutcome.NotCandidate, 0, 0, 0, [], null),
        });
}
