using CloudAnon.Azure.Ingress;
using CloudAnon.Core;

namespace CloudAnon.Cli.Cloud;

/// <summary>The parsed command line of <c>cloudanon process</c>.</summary>
internal sealed record ProcessArguments
{
    public const string Verb = "process";

    public static readonly string Usage = $"""
        Usage: cloudanon process [STORAGE] [MAPPING KEY] (--certificate FILE | --certificate-name NAME --key-vault URI | --irreversible)
                                 [OPTION]...
        De-identifies every unprocessed blob of the ingress container on this machine, with the function's own code path
        and defaults: egress under de-identified names, refused files to quarantine with a reason, the mapping in the
        shared table. A blob gets the same outcome here as from the function.
        Blobs marked processed are skipped, so a rerun continues where a run stopped.

        {StorageTarget.Usage}
        {MappingKeyArguments.Usage}
          Containers and table (defaults match infra/):
            --ingress NAME             default ingress       --egress NAME      default egress
            --quarantine NAME          default quarantine    --table NAME       default mappings
            --prefix P                 Only blobs whose names start with P.
          Audit records (docs/audit.md):
            --audit DIR                Also write each file's record as DIR/<SOP Instance UID>.json, or
                                       DIR/refused-<quarantine name>.json.
            --audit-table NAME         default audit         --audit-container NAME   default audit
            --no-audit-table           Write no records to the table (nor its container).
          De-identification:
            --certificate FILE         Certificate (PEM, DER or PFX) the originals are encrypted to.
            --certificate-name NAME    The certificate in --key-vault instead (public part only).
            --irreversible             Write no encrypted originals.
            --option NAME              Repeatable; {Core.Profile.ProfileOptionNames.Usage}.
            --root-uid UID             Root of new UIDs ({UidRoot.Rule}).
            --quarantine-suspected-burned-in   Refuse files of modalities known to burn text in.
            --allow-burned-in          Do not refuse files declaring burned-in annotation.
            --quarantine-already-deidentified   Refuse files that carry de-identification marks (default: de-identify
                                       them again, as the function does).
          Run:
            --jobs N                   Files in flight (default {DefaultJobs}).
            --watch [--poll-seconds S] Keep polling for new blobs (default every 2 s).
            --delete-ingress           Delete ingress blobs once settled (default: mark them processed).
            --verbose                  Every file's outcome on stderr.
          -h --help                    This help.
        Exit codes: 0 all done, 1 some files failed or the account could not be reached, 2 usage error.
        """;

    public static readonly int DefaultJobs = Environment.ProcessorCount * 4;

    private static readonly HashSet<string> ValueOptions =
    [
        .. StorageTarget.ValueOptions, .. MappingKeyArguments.ValueOptions,
        "--ingress", "--egress", "--quarantine", "--table", "--prefix", "--certificate", "--certificate-name",
        "--option", "--root-uid", "--jobs", "--poll-seconds", "--audit", "--audit-table", "--audit-container",
    ];

    private static readonly HashSet<string> Switches =
        [
            "--irreversible", "--watch", "--delete-ingress", "--quarantine-suspected-burned-in", "--allow-burned-in",
            "--quarantine-already-deidentified", "--verbose", "--no-audit-table",
        ];

    public bool Help { get; private init; }
    public StorageTarget Storage { get; private init; } = null!;
    public string Ingress { get; private init; } = "ingress";
    public string Egress { get; private init; } = "egress";
    public string Quarantine { get; private init; } = "quarantine";
    public string? Prefix { get; private init; }

    /// <summary>--audit DIR: where the records are also written as files; null without it.</summary>
    public string? AuditDirectory { get; private init; }

    /// <summary>The certificate file or Key Vault certificate; null with --irreversible.</summary>
    public CertificateLocation? Certificate { get; private init; }

    /// <summary>The deployment: table, mapping key, and the engine's options from the pipeline's defaults.</summary>
    public IngressPipelineOptions Pipeline { get; private init; } = null!;

    public int Jobs { get; private init; }
    public bool Watch { get; private init; }
    public TimeSpan PollInterval { get; private init; }
    public bool Verbose { get; private init; }

    /// <summary>Parses and checks the command line, then reads the mapping key (from a file, the environment or Key Vault).</summary>
    /// <exception cref="CliUsageException">A missing, unknown or malformed argument; the message names it and the rule.</exception>
    /// <exception cref="CloudSetupException">The mapping key's file or vault cannot be read.</exception>
    public static async Task<ProcessArguments> ParseAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var arguments = VerbArguments.Parse(Verb, args, ValueOptions, Switches);
        if (arguments.Help) return new ProcessArguments { Help = true };
        if (arguments.Operands.Count > 0) throw arguments.Error($"unexpected operand '{arguments.Operands[0]}'");

        bool irreversible = arguments.Has("--irreversible");
        var certificate = arguments.Value("--certificate");
        var certificateName = arguments.Value("--certificate-name");
        var vault = arguments.Value("--key-vault") is { } uri ? MappingKeyArguments.KeyVaultUri(arguments, uri) : null;
        if ((irreversible ? 1 : 0) + (certificate is null ? 0 : 1) + (certificateName is null ? 0 : 1) != 1)
        {
            throw arguments.Error("give one of --certificate FILE, --certificate-name NAME (with --key-vault) or --irreversible");
        }

        if (certificateName is not null && vault is null) throw arguments.Error("--certificate-name NAME needs --key-vault URI");
        var options = IngressPipeline.DefaultDeidentification with
        {
            Irreversible = irreversible,
            UidRoot = RootUid(arguments),
            AllowAlreadyDeidentified = !arguments.Has("--quarantine-already-deidentified"),
            RefuseBurnedInAnnotation = !arguments.Has("--allow-burned-in"),
            RefuseSuspectedBurnedInAnnotation = arguments.Has("--quarantine-suspected-burned-in"),
        };
        foreach (var option in arguments.Values("--option"))
        {
            options = AnonArguments.WithOption(options, option);
        }

        int jobs = arguments.PositiveInt("--jobs", DefaultJobs);
        var poll = TimeSpan.FromSeconds(arguments.PositiveInt("--poll-seconds", 2));
        var storage = StorageTarget.From(arguments);
        return new ProcessArguments
        {
            Storage = storage,
            Ingress = arguments.Value("--ingress") ?? "ingress",
            Egress = arguments.Value("--egress") ?? "egress",
            Quarantine = arguments.Value("--quarantine") ?? "quarantine",
            Prefix = arguments.Value("--prefix"),
            AuditDirectory = arguments.Value("--audit"),
            Certificate = irreversible ? null : new CertificateLocation(certificate, vault, certificateName),
            Pipeline = new IngressPipelineOptions
            {
                MappingTable = arguments.Value("--table") ?? "mappings",
                MappingKey = await MappingKeyArguments.ReadAsync(arguments, cancellationToken),
                Deidentification = options,
                DeleteIngressAfterSuccess = arguments.Has("--delete-ingress"),
                RecordAudit = !arguments.Has("--no-audit-table"),
                AuditTable = arguments.Value("--audit-table") ?? Azure.Audit.AuditTable.DefaultTableName,
                AuditContainer = arguments.Value("--audit-container") ?? Azure.Audit.AuditTable.DefaultContainerName,
            },
            Jobs = jobs,
            Watch = arguments.Has("--watch"),
            PollInterval = poll,
            Verbose = arguments.Has("--verbose"),
        };
    }

    /// <summary>--root-uid, checked by Core's one UID root rule.</summary>
    private static string? RootUid(VerbArguments arguments) => arguments.Value("--root-uid") is not { } root ? null
        : UidRoot.IsValid(root) ? root
        : throw arguments.Error($"--root-uid must be {UidRoot.Rule}");
}
