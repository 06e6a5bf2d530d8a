using System.Text.Json;
using System.Text.Json.Serialization;
using CloudAnon.Pixels;

namespace CloudAnon.Core.Audit.Report;

/// <summary>
/// What a privacy officer reviews before releasing a data set: per de-identified study the counts, the actions per
/// attribute path with how many instances each touched, the quarantined instances with their reasons and a preview of
/// every pixel-cleaned instance. Built from audit records alone (<see cref="AuditReportBuilder"/>), so it holds nothing
/// a record does not: de-identified UIDs, tag paths, keywords from the dictionary, action and reason words, counts,
/// boxes, and previews of de-identified frames. The JSON form is documented in docs/report.md.
/// </summary>
public sealed record AuditReport
{
    /// <summary>The version of the JSON form this code writes.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The version of CloudAnon that made the report (the records carry their own).</summary>
    public required string CloudAnonVersion { get; init; }

    public required IReadOnlyList<StudyReport> Studies { get; init; }

    /// <summary>Refused files whose records name no study (the engine refused them before it made new UIDs).</summary>
    public IReadOnlyList<QuarantinedInstance> QuarantinedWithoutStudy { get; init; } = [];

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, AuditReportJsonContext.Default.AuditReport);

    /// <exception cref="JsonException">The bytes are not a report.</exception>
    public static AuditReport FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AuditReportJsonContext.Default.AuditReport) ?? throw new JsonException("The report is null.");
}

/// <summary>One de-identified study.</summary>
/// <param name="Series">Distinct de-identified Series Instance UIDs among its de-identified instances.</param>
/// <param name="QuarantinedByReason">Reason code → instances refused with it, by reason.</param>
/// <param name="Profiles">Each profile (table edition, options, reversible) the instances were de-identified under, with how many.</param>
/// <param name="Actions">Each attribute path and action with the number of instances in which it was taken, by path.</param>
public sealed record StudyReport(
    string StudyInstanceUid,
    int Series,
    int InstancesDeidentified,
    int InstancesQuarantined,
    IReadOnlyList<ReasonCount> QuarantinedByReason,
    IReadOnlyList<ProfileCount> Profiles,
    IReadOnlyList<ActionCount> Actions,
    IReadOnlyList<QuarantinedInstance> Quarantined,
    IReadOnlyList<PixelCleanedInstance> PixelCleaned);

public sealed record ReasonCount(string Reason, int Instances);

public sealed record ProfileCount(AuditProfile Profile, int Instances);

/// <param name="Keyword">The keywords of the path's tags from the data dictionary, joined by " / " ("?" for a tag it does not name, such as a private one).</param>
/// <param name="Instances">Instances in which at least one element at the path had the action.</param>
/// <param name="Elements">Elements at the path that had the action, over all those instances.</param>
public sealed record ActionCount(string Path, string Keyword, AttributeAction Action, int Instances, int Elements);

/// <param name="Name">The record's opaque name (its file name without .json, or its table row key): never an input name.</param>
public sealed record QuarantinedInstance(string Name, string Reason);

/// <summary>An instance whose pixels were cleaned, with what the record says was blanked and a preview of the de-identified frame.</summary>
/// <param name="Preview">The first frame of the de-identified output with the blanked boxes outlined, as a data: URI (PNG); null when it could not be made.</param>
/// <param name="PreviewProblem">Why there is no preview (output not found, not decodable); null when there is one.</param>
public sealed record PixelCleanedInstance(
    string SeriesInstanceUid,
    string SopInstanceUid,
    long BlankedPixelsPerFrame,
    IReadOnlyList<PixelRegion> BlankedBoxes,
    IReadOnlyList<PixelRegion> BlankedOutside,
    string? Preview,
    string? PreviewProblem);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(AuditReport))]
[JsonSerializable(typeof(AttributeAction))]
internal sealed partial class AuditReportJsonContext : JsonSerializerContext;
