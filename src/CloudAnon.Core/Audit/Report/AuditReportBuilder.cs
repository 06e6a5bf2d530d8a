using CloudAnon.Dicom;

namespace CloudAnon.Core.Audit.Report;

/// <summary>
/// Groups audit records into <see cref="StudyReport"/>s by their de-identified Study Instance UID and counts them. Previews
/// are left empty: the caller renders them from the outputs (<see cref="AuditReport.Studies"/> lists which).
/// </summary>
public static class AuditReportBuilder
{
    /// <param name="study">
    /// When given, every record belongs to this study (records read from the study's partition, refusals included);
    /// otherwise each record's own Study Instance UID decides, and refusals without one are listed apart.
    /// </param>
    public static AuditReport Build(IEnumerable<NamedAuditRecord> records, string? study = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var all = records.ToList();
        var byStudy = all.Where(r => (study ?? r.Record.StudyInstanceUid) is not null).GroupBy(r => study ?? r.Record.StudyInstanceUid!, StringComparer.Ordinal);
        return new AuditReport
        {
            CloudAnonVersion = AuditRecord.CurrentVersion,
            Studies = [.. byStudy.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Study(g.Key, [.. g]))],
            QuarantinedWithoutStudy = Quarantined(study is null ? all.Where(r => r.Record.StudyInstanceUid is null) : []),
        };
    }

    private static StudyReport Study(string studyUid, List<NamedAuditRecord> records)
    {
        var deidentified = records.Select(r => r.Record).Where(r => r.Outcome == AuditOutcome.Deidentified).ToList();
        var quarantined = Quarantined(records);
        return new StudyReport(
            studyUid,
            deidentified.Select(r => r.SeriesInstanceUid).Distinct(StringComparer.Ordinal).Count(),
            deidentified.Count,
            quarantined.Count,
            [.. quarantined.GroupBy(q => q.Reason, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ReasonCount(g.Key, g.Count()))],
            [.. deidentified.GroupBy(r => ProfileKey(r.Profile)).OrderByDescending(g => g.Count()).Select(g => new ProfileCount(g.First().Profile, g.Count()))],
            Actions(deidentified),
            quarantined,
            [.. deidentified.Where(r => r.Pixels?.Outcome == Pixels.PixelOutcome.Cleaned)
                .OrderBy(r => r.SeriesInstanceUid, StringComparer.Ordinal).ThenBy(r => r.SopInstanceUid, StringComparer.Ordinal)
                .Select(r => new PixelCleanedInstance(r.SeriesInstanceUid ?? "", r.SopInstanceUid ?? "", r.Pixels!.BlankedPixelsPerFrame,
                    r.Pixels.BlankedBoxes ?? [], r.Pixels.BlankedOutside ?? [], Preview: null, PreviewProblem: null))]);
    }

    /// <summary>The refused files among <paramref name="records"/>, by quarantine name and reason (ordered by reason, then name).</summary>
    public static List<QuarantinedInstance> Quarantined(IEnumerable<NamedAuditRecord> records) =>
        [.. records.Where(r => r.Record.Outcome == AuditOutcome.Refused)
            .Select(r => new QuarantinedInstance(r.Name, r.Record.Reason ?? "Unknown"))
            .OrderBy(q => q.Reason, StringComparer.Ordinal).ThenBy(q => q.Name, StringComparer.Ordinal)];

    private static string ProfileKey(AuditProfile profile) => $"{profile.TableEdition}|{profile.Reversible}|{string.Join(',', profile.Options)}";

    private static List<ActionCount> Actions(List<AuditRecord> records)
    {
        var counts = new Dictionary<(string Path, AttributeAction Action), (int Instances, int Elements)>();
        foreach (var attribute in records.SelectMany(r => r.Attributes))
        {
            var (instances, elements) = counts.GetValueOrDefault((attribute.Path, attribute.Action));
            counts[(attribute.Path, attribute.Action)] = (instances + 1, elements + attribute.Count);
        }
        return [.. counts.OrderBy(c => c.Key.Path, StringComparer.Ordinal).ThenBy(c => c.Key.Action)
            .Select(c => new ActionCount(c.Key.Path, Keywords(c.Key.Path), c.Key.Action, c.Value.Instances, c.Value.Elements))];
    }

    /// <summary>"(0040,A730)/(0040,A160)" → "ContentSequence / TextValue".</summary>
    private static string Keywords(string path) => string.Join(" / ", path.Split('/').Select(Keyword));

    private static string Keyword(string segment)
    {
        string hex = segment.Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        return DicomTagPattern.TryParse(hex, out var tag, out uint mask) && mask == DicomTagPattern.Exact
            && DicomDictionary.TryGetEntry(tag, out var entry) && entry.Keyword.Length > 0 ? entry.Keyword : "?";
    }
}
