using CloudAnon.Azure.Audit;
using CloudAnon.Cli.Cloud;
using CloudAnon.Dicom;

namespace CloudAnon.Cli.Report;

/// <summary>The parsed command line of <c>cloudanon report</c>: records from an --audit folder, or one study from the audit table.</summary>
internal sealed record ReportArguments
{
    public const string Verb = "report";

    public static readonly string Usage = $"""
        Usage: cloudanon report --audit DIR [--egress DIR] -o FILE [--json]
               cloudanon report [STORAGE] [MAPPING KEY] (--study UID | --no-study | both) -o FILE [--json]
        Writes what was done to each de-identified study, for the privacy office to review: the counts (series, instances
        de-identified, quarantined by reason), the actions per attribute path with how many instances each touched, the
        quarantined files with their reasons, and a preview of the first frame of every pixel-cleaned instance with the
        blanked boxes outlined. One self-contained HTML page (no script, nothing fetched), or the same as JSON.
        It shows de-identified UIDs and the records' contents only, never a value of the original files.

          From a run of `cloudanon -e --audit DIR`:
            --audit DIR                The run's audit records: every study in them, a section each.
            --egress DIR               The run's output (-o) folder: the previews are read from the de-identified files
                                       there, found by their SOP Instance UID whatever their names.
          From the pipeline's audit table (one study; the account and the key as `process` takes them):
            --study UID                The de-identified Study Instance UID (the first part of its egress blob names).
            --no-study                 The refused files whose study is unknown (their header could not be read), by
                                       quarantine name and reason, in a section of their own; alone or with --study.
        {StorageTarget.Usage}
        {MappingKeyArguments.Usage}
            --table NAME               The audit table (default {AuditTable.DefaultTableName}); records too large for a row are
            --audit-container NAME     read from this container (default {AuditTable.DefaultContainerName}).
            --egress NAME              The egress container the previews are read from (default egress).
          Output:
            -o --output FILE           The page (or JSON) to write; written whole or not at all.
            --json                     JSON instead of HTML (docs/report.md).
          -h --help                    This help.
        Exit codes: 0 written with every preview, 1 written with a preview missing or nothing written (records unreadable,
        account unreachable), 2 usage error.
        """;

    private static readonly HashSet<string> ValueOptions =
        [.. StorageTarget.ValueOptions, .. MappingKeyArguments.ValueOptions, "--audit", "--egress", "--study", "--output", "--table", "--audit-container"];
    private static readonly string[] TableFormOptions = [.. StorageTarget.ValueOptions, .. MappingKeyArguments.ValueOptions, "--study", "--table", "--audit-container"];
    private static readonly HashSet<string> Switches = ["--json", "--no-study"];
    private static readonly Dictionary<string, string> Aliases = new() { ["-o"] = "--output" };

    public bool Help { get; private init; }

    /// <summary>The --audit folder; null for the table form.</summary>
    public string? AuditDirectory { get; private init; }

    /// <summary>The output folder (folder form) or the egress container (table form); null when the folder form has none.</summary>
    public string? Egress { get; private init; }

    /// <summary>The table form's storage account, table, container, key and study.</summary>
    public StorageTarget? Storage { get; private init; }

    public string Table { get; private init; } = AuditTable.DefaultTableName;
    public string AuditContainer { get; private init; } = AuditTable.DefaultContainerName;

    /// <summary>The deployment's mapping key, which the audit table's study partitions are hashed with.</summary>
    public byte[] MappingKey { get; private init; } = [];
    public string? Study { get; private init; }

    /// <summary>--no-study: also (or only) the refused files whose records name no study.</summary>
    public bool WithoutStudy { get; private init; }
    public string Output { get; private init; } = "";
    public bool Json { get; private init; }

    /// <exception cref="CliUsageException">A missing, unknown or conflicting argument.</exception>
    /// <exception cref="CloudSetupException">The mapping key's file or vault cannot be read.</exception>
    public static async Task<ReportArguments> ParseAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var arguments = VerbArguments.Parse(Verb, args, ValueOptions, Switches, Aliases);
        if (arguments.Help) return new ReportArguments { Help = true };
        if (arguments.Operands.Count > 0) throw arguments.Error($"unexpected operand '{arguments.Operands[0]}'");
        string output = arguments.Required("--output");
        bool json = arguments.Has("--json");
        if (arguments.Value("--audit") is { } audit)
        {
            if (TableFormOptions.Any(o => arguments.Value(o) is not null) || arguments.Has("--no-study"))
            {
                throw arguments.Error("--audit DIR reads a run's records (refused files without a study included): --study, --no-study, --table, the storage account and the mapping key go with the table form");
            }
            if (!Directory.Exists(audit)) throw arguments.Error("--audit DIR must be an existing folder");
            var egress = arguments.Value("--egress");
            if (egress is not null && !Directory.Exists(egress)) throw arguments.Error("--egress DIR must be an existing folder");
            return new ReportArguments { AuditDirectory = audit, Egress = egress, Output = output, Json = json };
        }

        var study = arguments.Value("--study");
        bool withoutStudy = arguments.Has("--no-study");
        if (study is null && !withoutStudy) throw arguments.Error("give --audit DIR, or --study UID or --no-study with the storage account");
        if (study is not null && !DicomUid.IsValid(study)) throw arguments.Error("--study must be a de-identified Study Instance UID (digits and dots)");
        return new ReportArguments
        {
            Storage = StorageTarget.From(arguments),
            Table = arguments.Value("--table") ?? AuditTable.DefaultTableName,
            AuditContainer = arguments.Value("--audit-container") ?? AuditTable.DefaultContainerName,
            MappingKey = await MappingKeyArguments.ReadAsync(arguments, cancellationToken),
            Egress = arguments.Value("--egress") ?? "egress",
            Study = study,
            WithoutStudy = withoutStudy,
            Output = output,
            Json = json,
        };
    }
}
