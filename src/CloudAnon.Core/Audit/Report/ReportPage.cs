using System.Globalization;
using System.Net;
using System.Text;

namespace CloudAnon.Core.Audit.Report;

/// <summary>
/// The report as one self-contained HTML page: inline CSS, previews as data: URIs, no script, no link to anything
/// outside it, so it can be archived with a sign-off and opened offline. Every text it shows is HTML-encoded.
/// </summary>
public static class ReportPage
{
    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111;background:#fff}
        h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #999}h3{font-size:1em}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:2px 8px;text-align:left;vertical-align:top}
        td.n{text-align:right}code{font-size:.95em}
        .previews{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #bbb;padding:.5em;max-width:280px}
        figcaption{font-size:.85em;word-break:break-all}.problem{color:#a00;font-weight:bold}
        .legend span{display:inline-block;width:1em;height:.8em;margin:0 .3em 0 1em;vertical-align:middle}
        """;

    /// <summary>The colour previews outline blanked boxes with; the kept regions (all outside them blanked) in <see cref="KeptColour"/>.</summary>
    public static readonly (byte R, byte G, byte B) BlankedColour = (255, 0, 0), KeptColour = (255, 200, 0);

    public static string Render(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>CloudAnon audit report</title><style>")
            .Append(Style).Append("</style></head><body>\n<h1>CloudAnon audit report</h1>\n<p>")
            .Append(Count(report.Studies.Count, "study", "studies")).Append(", made by CloudAnon ").Append(Encode(report.CloudAnonVersion))
            .Append(" from the audit records. It holds de-identified UIDs, tag paths, actions, reasons and counts, and previews of de-identified frames: ")
            .Append("no value read from the original files.</p>\n");
        AppendSummary(html, report);
        foreach (var study in report.Studies) AppendStudy(html, study);
        if (report.QuarantinedWithoutStudy.Count > 0)
        {
            html.Append("<section class=\"unattributed\"><h2>Quarantined files without a study</h2>\n<p>The engine refused these before it made de-identified UIDs, so their records name no study.</p>\n");
            AppendQuarantine(html, report.QuarantinedWithoutStudy);
            html.Append("</section>\n");
        }
        return html.Append("</body></html>\n").ToString();
    }

    /// <summary>One line per study, so the whole run is seen before the detail.</summary>
    private static void AppendSummary(StringBuilder html, AuditReport report)
    {
        html.Append("<table class=\"summary\"><tr><th>Study</th><th>Series</th><th>De-identified</th><th>Quarantined</th><th>Pixels cleaned</th></tr>");
        foreach (var study in report.Studies)
        {
            html.Append("<tr><td><code>").Append(Encode(study.StudyInstanceUid)).Append("</code></td>").Append(Number(study.Series))
                .Append(Number(study.InstancesDeidentified)).Append(Number(study.InstancesQuarantined)).Append(Number(study.PixelCleaned.Count)).Append("</tr>");
        }
        if (report.QuarantinedWithoutStudy.Count > 0)
        {
            html.Append("<tr><td>no study</td><td></td><td></td>").Append(Number(report.QuarantinedWithoutStudy.Count)).Append("<td></td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void AppendStudy(StringBuilder html, StudyReport study)
    {
        html.Append("<section class=\"study\"><h2>Study <code class=\"study-uid\">").Append(Encode(study.StudyInstanceUid)).Append("</code></h2>\n<table class=\"counts\">")
            .Append(Row("Series", study.Series, "series"))
            .Append(Row("Instances de-identified", study.InstancesDeidentified, "deidentified"))
            .Append(Row("Instances quarantined", study.InstancesQuarantined, "quarantined"));
        foreach (var reason in study.QuarantinedByReason) html.Append(Row($"quarantined: {reason.Reason}", reason.Instances, "reason"));
        html.Append(Row("Instances with pixels cleaned", study.PixelCleaned.Count, "pixel-cleaned")).Append("</table>\n");

        if (study.Quarantined.Count > 0)
        {
            html.Append("<h3>Quarantined</h3>\n");
            AppendQuarantine(html, study.Quarantined);
        }
        if (study.PixelCleaned.Count > 0) AppendPreviews(html, study.PixelCleaned);
        html.Append("<h3>Profile</h3>\n<table class=\"profiles\"><tr><th>Table E.1-1 edition</th><th>Options</th><th>Reversible</th><th>Instances</th></tr>");
        foreach (var profile in study.Profiles)
        {
            html.Append("<tr><td>").Append(Encode(profile.Profile.TableEdition)).Append("</td><td>").Append(Encode(string.Join(", ", profile.Profile.Options)))
                .Append("</td><td>").Append(profile.Profile.Reversible ? "yes" : "no").Append("</td>").Append(Number(profile.Instances)).Append("</tr>");
        }
        html.Append("</table>\n<h3>Actions per attribute</h3>\n<table class=\"actions\"><tr><th>Tag path</th><th>Keyword</th><th>Action</th><th>Instances</th><th>Elements</th></tr>");
        foreach (var action in study.Actions)
        {
            html.Append("<tr><td><code>").Append(Encode(action.Path)).Append("</code></td><td>").Append(Encode(action.Keyword)).Append("</td><td>")
                .Append(Encode(ActionName(action.Action))).Append("</td>").Append(Number(action.Instances)).Append(Number(action.Elements)).Append("</tr>");
        }
        html.Append("</table>\n");
        html.Append("</section>\n");
    }

    private static void AppendQuarantine(StringBuilder html, IReadOnlyList<QuarantinedInstance> quarantined)
    {
        html.Append("<table class=\"quarantine\"><tr><th>Record</th><th>Reason</th></tr>");
        foreach (var instance in quarantined)
        {
            html.Append("<tr><td><code>").Append(Encode(instance.Name)).Append("</code></td><td>").Append(Encode(instance.Reason)).Append("</td></tr>");
        }
        html.Append("</table>\n");
    }

    private static void AppendPreviews(StringBuilder html, IReadOnlyList<PixelCleanedInstance> instances)
    {
        html.Append("<h3>Pixel-cleaned instances</h3>\n<p class=\"legend\">First frame of each de-identified output.<span style=\"background:")
            .Append(Css(BlankedColour)).Append("\"></span>blanked box<span style=\"background:").Append(Css(KeptColour))
            .Append("\"></span>region kept (all outside it blanked)</p>\n<div class=\"previews\">");
        foreach (var instance in instances)
        {
            html.Append("<figure class=\"pixel-cleaned\">");
            if (instance.Preview is { } preview) html.Append("<img alt=\"de-identified frame\" src=\"").Append(Encode(preview)).Append("\">");
            else html.Append("<p class=\"problem\">No preview: ").Append(Encode(instance.PreviewProblem ?? "unknown")).Append("</p>");
            html.Append("<figcaption>SOP Instance UID <code>").Append(Encode(instance.SopInstanceUid)).Append("</code><br>")
                .Append(instance.BlankedPixelsPerFrame.ToString("N0", CultureInfo.InvariantCulture)).Append(" pixels blanked per frame in ")
                .Append(Count(instance.BlankedBoxes.Count, "box", "boxes"));
            foreach (var box in instance.BlankedBoxes) html.Append("<br>").Append(Encode(box.ToString()));
            if (instance.BlankedOutside.Count > 0) html.Append("<br>and everything outside ").Append(Encode(string.Join("; ", instance.BlankedOutside)));
            html.Append("</figcaption></figure>");
        }
        html.Append("</div>\n");
    }

    private static string Row(string label, int value, string kind) =>
        $"<tr><th>{Encode(label)}</th><td class=\"n\" data-count=\"{kind}\">{value.ToString(CultureInfo.InvariantCulture)}</td></tr>";

    private static string Number(int value) => $"<td class=\"n\">{value.ToString(CultureInfo.InvariantCulture)}</td>";

    private static string Count(int count, string one, string many) => $"{count.ToString(CultureInfo.InvariantCulture)} {(count == 1 ? one : many)}";

    private static string Css((byte R, byte G, byte B) colour) => $"rgb({colour.R},{colour.G},{colour.B})";

    /// <summary>The action's word as the records write it ("replaced-uid").</summary>
    private static string ActionName(AttributeAction action) =>
        System.Text.Json.JsonSerializer.Serialize(action, AuditReportJsonContext.Default.AttributeAction).Trim('"');

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
