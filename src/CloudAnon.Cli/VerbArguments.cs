using CloudAnon.Core;

namespace CloudAnon.Cli;

/// <summary>
/// The command line of a verb (<c>dump</c>, <c>convert</c>, <c>process</c>, <c>backfill</c>): long options as
/// <c>--name value</c> or <c>--name=value</c>, switches, operands, and <c>-h</c>/<c>--help</c>. Errors name the argument and
/// point at the verb's help; values are never echoed (a mistyped option may be followed by a secret).
/// </summary>
internal sealed class VerbArguments
{
    private readonly string _verb;
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    private VerbArguments(string verb) => _verb = verb;

    public bool Help { get; private set; }

    public List<string> Operands { get; } = [];

    /// <param name="valueOptions">Options that take a value (with their leading dashes).</param>
    /// <param name="switches">Options without a value.</param>
    /// <param name="aliases">Short spellings, e.g. <c>-t</c> for <c>--transfer-syntax</c>.</param>
    /// <exception cref="CliUsageException">An unknown option, a missing value, or a value given to a switch.</exception>
    public static VerbArguments Parse(
        string verb, IReadOnlyList<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> switches,
        IReadOnlyDictionary<string, string>? aliases = null)
    {
        var parsed = new VerbArguments(verb);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help")
            {
                parsed.Help = true;
                continue;
            }

            if (arg == "--")
            {
                parsed.Operands.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                parsed.Operands.Add(arg);
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg : arg[..equals];
            name = aliases?.GetValueOrDefault(name) ?? name;
            if (valueOptions.Contains(name))
            {
                string value = equals >= 0 ? arg[(equals + 1)..]
                    : ++i < args.Count ? args[i]
                    : throw parsed.Error($"{name} needs a value");
                parsed.Add(name, value);
            }
            else if (switches.Contains(name))
            {
                if (equals >= 0) throw parsed.Error($"{name} takes no value");
                parsed._switches.Add(name);
            }
            else
            {
                throw parsed.Error($"unknown argument '{name}'");
            }
        }

        return parsed;
    }

    public bool Has(string name) => _switches.Contains(name);

    /// <summary>The value of an option given at most once; null when absent.</summary>
    public string? Value(string name) => _values.TryGetValue(name, out var values)
        ? values.Count == 1 ? values[0] : throw Error($"{name} given {values.Count} times")
        : null;

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var values) ? values : [];

    public string Required(string name) => Value(name) ?? throw Error($"{name} is required");

    /// <summary>A usage error of this verb, pointing at its help.</summary>
    public CliUsageException Error(string message) => new($"{message} (see cloudanon {_verb} --help)", _verb);

    public int PositiveInt(string name, int defaultValue) => Value(name) is not { } text ? defaultValue
        : SettingValues.TryParsePositiveInteger(text, out int value) ? value
        : throw Error($"{name} must be a positive whole number");

    /// <summary>A TCP port, or null when the option is absent.</summary>
    public int? Port(string name) => Value(name) is not { } text ? null
        : SettingValues.TryParsePort(text, out int port) ? port
        : throw Error($"{name} must be {SettingValues.PortRule}");

    private void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var values))
        {
            _values.Add(name, values = []);
        }

        values.Add(value);
    }
}
