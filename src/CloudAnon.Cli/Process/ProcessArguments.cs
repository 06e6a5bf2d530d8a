using CloudAnon.Core;

namespace CloudAnon.Cli.Process;

/// <summary>The parsed command line of <c>cloudanon process</c>.</summary>
internal sealed record ProcessArguments
{
    public const string Usage = """
        usage: cloudanon process --connection CONN --ingress NAME --egress NAME [--quarantine NAME] [--table NAME]
                                 (--certificate cert.pem | --irreversible) (--mapping-key BASE64 | --mapping-key-file FILE)
                                 [--option NAME ...] [--uid-root ROOT] [--jobs N] [--watch [--poll-seconds S]]
                                 [--delete-ingress] [--quarantine-suspected-burned-in] [--allow-burned-in] [--verbose]
          --connection may also come from AZURE_STORAGE_CONNECTION_STRING; UseDevelopmentStorage=true means Azurite.
          --option: a PS3.15 E.3 option, e.g. retain-uids, retain-longitudinal-modified-dates, clean-descriptors.
        """;

    public required string Connection { get; init; }
    public required string Ingress { get; init; }
    public required string Egress { get; init; }
    public string Quarantine { get; init; } = "quarantine";
    public string Table { get; init; } = "cloudanonmapping";
    public string? CertificatePath { get; init; }
    public bool Irreversible { get; init; }
    public required byte[] MappingKey { get; init; }
    /// <summary>What the --option flags chose; <see cref="UidRoot"/> and <see cref="Irreversible"/> are added to it.</summary>
    public DeidentificationOptions Options { get; init; } = new();
    public string? UidRoot { get; init; }
    public int Jobs { get; init; } = Environment.ProcessorCount * 4;
    public bool Watch { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
    public bool DeleteIngress { get; init; }
    public bool QuarantineSuspectedBurnedIn { get; init; }
    public bool AllowBurnedIn { get; init; }
    public bool Verbose { get; init; }

    /// <exception cref="CliUsageException">A missing, unknown or malformed argument.</exception>
    public static ProcessArguments Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var options = new DeidentificationOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "--irreversible" or "--watch" or "--delete-ingress" or "--quarantine-suspected-burned-in" or "--allow-burned-in" or "--verbose":
                    flags.Add(name);
                    break;
                case "--option":
                    options = AnonArguments.WithOption(options, Value(args, ref i, name));
                    break;
                case "--connection" or "--ingress" or "--egress" or "--quarantine" or "--table" or "--certificate"
                    or "--mapping-key" or "--mapping-key-file" or "--uid-root" or "--jobs" or "--poll-seconds":
                    values[name] = Value(args, ref i, name);
                    break;
                default:
                    throw new CliUsageException($"unknown argument '{name}'{Environment.NewLine}{Usage}");
            }
        }

        bool irreversible = flags.Contains("--irreversible");
        string? certificate = values.GetValueOrDefault("--certificate");
        if (irreversible == (certificate is not null))
        {
            throw new CliUsageException("give either --certificate FILE (reversible: originals encrypted to it) or --irreversible");
        }

        return new ProcessArguments
        {
            Connection = values.GetValueOrDefault("--connection") ?? Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING")
                ?? throw new CliUsageException($"--connection is required{Environment.NewLine}{Usage}"),
            Ingress = Required(values, "--ingress"),
            Egress = Required(values, "--egress"),
            Quarantine = values.GetValueOrDefault("--quarantine") ?? "quarantine",
            Table = values.GetValueOrDefault("--table") ?? "cloudanonmapping",
            CertificatePath = certificate,
            Irreversible = irreversible,
            MappingKey = ParseMappingKey(values),
            Options = options,
            UidRoot = values.TryGetValue("--uid-root", out var root) ? AnonArguments.CheckedRootUid(root, "--uid-root") : null,
            Jobs = values.TryGetValue("--jobs", out var jobs) ? PositiveInt(jobs, "--jobs") : Environment.ProcessorCount * 4,
            Watch = flags.Contains("--watch"),
            PollInterval = values.TryGetValue("--poll-seconds", out var poll) ? TimeSpan.FromSeconds(PositiveInt(poll, "--poll-seconds")) : TimeSpan.FromSeconds(2),
            DeleteIngress = flags.Contains("--delete-ingress"),
            QuarantineSuspectedBurnedIn = flags.Contains("--quarantine-suspected-burned-in"),
            AllowBurnedIn = flags.Contains("--allow-burned-in"),
            Verbose = flags.Contains("--verbose"),
        };
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string name) =>
        ++i < args.Count ? args[i] : throw new CliUsageException($"{name} needs a value");

    private static string Required(Dictionary<string, string> values, string name) =>
        values.GetValueOrDefault(name) ?? throw new CliUsageException($"{name} is required{Environment.NewLine}{Usage}");

    private static int PositiveInt(string text, string name) =>
        int.TryParse(text, out int value) && value > 0 ? value : throw new CliUsageException($"{name} must be a positive whole number");

    /// <summary>The mapping table's HMAC key: every writer of one table must use the same one, so it is never generated here.</summary>
    private static byte[] ParseMappingKey(Dictionary<string, string> values)
    {
        string? text = values.GetValueOrDefault("--mapping-key");
        if (values.TryGetValue("--mapping-key-file", out var path))
        {
            if (text is not null) throw new CliUsageException("give --mapping-key or --mapping-key-file, not both");
            try
            {
                text = File.ReadAllText(path);
            }
            catch (IOException e)
            {
                throw new CliUsageException($"cannot read --mapping-key-file: {e.Message}");
            }
        }

        if (text is null) throw new CliUsageException($"--mapping-key BASE64 or --mapping-key-file FILE is required (the table's secret hash key, {Core.Mapping.MappingKey.Rule})");
        return Core.Mapping.MappingKey.TryParse(text, out var key) ? key : throw new CliUsageException($"the mapping key must be {Core.Mapping.MappingKey.Rule}");
    }
}
