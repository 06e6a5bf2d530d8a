using System.Reflection;
using System.Text.Json;
using CloudAnon.Core.Profile;
using System.Text.Json.Serialization;
using CloudAnon.Pixels;

namespace CloudAnon.Core.Audit;

/// <summary>
/// What was done to one file, for the privacy office: its de-identified UIDs, the profile it was de-identified under,
/// the action taken at every attribute path, the pixel outcome and the output's transfer syntax; or, for a refused
/// file, the reason. Tag paths, action names, counts, de-identified UIDs and fixed reason words only, never a value
/// read from the file. The JSON form is documented in docs/audit.md; <see cref="SchemaVersion"/> changes with it.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>The version of the JSON form this code writes.</summary>
    public const int CurrentSchemaVersion = 2;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required AuditOutcome Outcome { get; init; }

    /// <summary>Why the file was refused: an engine refusal's name or the pipeline's reason code; null when de-identified.</summary>
    public string? Reason { get; init; }

    /// <summary>CloudAnon's version (with the commit it was built from, when known).</summary>
    public required string CloudAnonVersion { get; init; }

    public required AuditProfile Profile { get; init; }

    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? SopInstanceUid { get; init; }

    /// <summary>The output's transfer syntax UID.</summary>
    public string? TransferSyntaxUid { get; init; }

    /// <summary>Every attribute path of the input with the action taken there, in the input's order, then what CloudAnon added.</summary>
    public IReadOnlyList<AttributeAudit> Attributes { get; init; } = [];

    /// <summary>What Clean Pixel Data did; null when the record is a refusal's.</summary>
    public PixelAudit? Pixels { get; init; }

    /// <summary>Frames of encapsulated pixel data rewritten without their codestream metadata.</summary>
    public int CodestreamsStripped { get; init; }

    /// <summary>The record of a refused file: the profile, CloudAnon's version and the reason code, nothing of the file.</summary>
    /// <param name="reason">A fixed reason word (an engine refusal's name, a pipeline reason code), never file content.</param>
    /// <param name="studyInstanceUid">The de-identified Study Instance UID the file would have had, when it could be read (<see cref="Deidentifier.DeidentifiedStudyUid"/>).</param>
    public static AuditRecord Refused(DeidentificationOptions options, string reason, string? studyInstanceUid = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AuditRecord
        {
            Outcome = AuditOutcome.Refused, Reason = reason, CloudAnonVersion = CurrentVersion, Profile = ProfileOf(options), StudyInstanceUid = studyInstanceUid,
        };
    }

    internal static string CurrentVersion { get; } =
        typeof(AuditRecord).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    internal static AuditProfile ProfileOf(DeidentificationOptions options) =>
        new(ProfileTable.Current.Edition, ProfileOptionNames.Describe(options), !options.Irreversible);

    /// <summary>The record as UTF-8 JSON, in the documented form.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, AuditJsonContext.Default.AuditRecord);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The bytes are not a record.</exception>
    public static AuditRecord FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AuditJsonContext.Default.AuditRecord) ?? throw new JsonException("The audit record is null.");
}

[JsonConverter(typeof(JsonStringEnumConverter<AuditOutcome>))]
public enum AuditOutcome
{
    [JsonStringEnumMemberName("deidentified")] Deidentified,
    [JsonStringEnumMemberName("refused")] Refused,
}

/// <summary>The profile a file was (or would have been) de-identified under.</summary>
/// <param name="TableEdition">The edition of PS3.15 Table E.1-1 applied.</param>
/// <param name="Options">The options in effect, as the CLI's --option and the pipeline's ProfileOptions setting write them.</param>
/// <param name="Reversible">The originals are encrypted into (0400,0500).</param>
public sealed record AuditProfile(string TableEdition, IReadOnlyList<string> Options, bool Reversible);

/// <summary>An attribute path (enclosing sequences' tags, then the tag, joined by '/') and the action taken there, with how many elements at that path took it.</summary>
public sealed record AttributeAudit(string Path, AttributeAction Action, int Count);

/// <summary>The actions an attribute can have had; see docs/audit.md.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttributeAction>))]
public enum AttributeAction
{
    [JsonStringEnumMemberName("removed")] Removed,
    [JsonStringEnumMemberName("emptied")] Emptied,
    [JsonStringEnumMemberName("dummy")] Dummy,
    [JsonStringEnumMemberName("dummy-code")] DummyCode,
    [JsonStringEnumMemberName("pseudonym")] Pseudonym,
    [JsonStringEnumMemberName("replaced-uid")] ReplacedUid,
    [JsonStringEnumMemberName("shifted-date")] ShiftedDate,
    [JsonStringEnumMemberName("cleaned-text")] CleanedText,
    [JsonStringEnumMemberName("unchanged")] Unchanged,
    [JsonStringEnumMemberName("cleaned-items")] CleanedItems,
    [JsonStringEnumMemberName("dummy-items")] DummyItems,
    [JsonStringEnumMemberName("kept")] Kept,
    [JsonStringEnumMemberName("kept-by-option")] KeptByOption,
    [JsonStringEnumMemberName("kept-by-allow-list")] KeptByAllowList,
    [JsonStringEnumMemberName("added")] Added,
    [JsonStringEnumMemberName("set")] Set,
}

/// <summary>What Clean Pixel Data reported for the file (<see cref="PixelCleaningResult"/>), boxes in pixels of the frame.</summary>
public sealed record PixelAudit(
    [property: JsonConverter(typeof(JsonStringEnumConverter<CandidateReason>))] CandidateReason Candidate,
    [property: JsonConverter(typeof(JsonStringEnumConverter<PixelOutcome>))] PixelOutcome Outcome,
    int TextRegions,
    int TextureRegions,
    long BlankedPixelsPerFrame,
    IReadOnlyList<PixelRegion> KeptTextBoxes,
    string? ReencodedFromTransferSyntaxUid)
{
    /// <summary>The rectangles blanked on every frame (schema 2; empty in records of schema 1).</summary>
    public IReadOnlyList<PixelRegion> BlankedBoxes { get; init; } = [];

    /// <summary>When not empty, everything outside these rectangles was blanked too (schema 2).</summary>
    public IReadOnlyList<PixelRegion> BlankedOutside { get; init; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
