using CloudAnon.Core;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.DumbMode;
using CloudAnon.Core.Profile;

namespace CloudAnon.Cli;

internal enum AnonMode
{
    Deidentify,
    Reidentify,
    Dumb,
}

/// <summary>How much goes to stderr besides errors and the summary: gdcmanon's -W/-V (warnings) and -D (every file).</summary>
internal enum Verbosity
{
    Errors,
    Warnings,
    Debug,
}

/// <summary>The command line of the anonymizer (gdcmanon's flags plus CloudAnon's own), parsed but not yet checked against the file system.</summary>
internal sealed class AnonArguments
{
    public AnonMode? Mode { get; private set; }
    public string? Input { get; private set; }
    public string? Output { get; private set; }
    public bool Recursive { get; private set; }
    public bool Continue { get; private set; }
    public string? RootUid { get; private set; }
    public string? KeyPath { get; private set; }
    public string? CertificatePath { get; private set; }
    /// <summary>The environment variable read for the key or PFX password when --password-file is not given.</summary>
    public const string PasswordEnvironmentVariable = "CLOUDANON_KEY_PASSWORD";

    /// <summary>From --password-file, else <see cref="PasswordEnvironmentVariable"/>; never from the command line.</summary>
    public string? Password { get; private set; } = Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
    public ContentCipher Cipher { get; private set; } = ContentCiphers.Default;
    public List<DumbEdit> Edits { get; } = [];
    public Verbosity Verbosity { get; private set; }
    public bool Help { get; private set; }
    public bool Version { get; private set; }
    /// <summary>What the --option flags chose (Annex E options and CloudAnon's own); the rest is filled in from the other flags.</summary>
    public DeidentificationOptions Options { get; private set; } = new();
    public bool Irreversible { get; private set; }
    public bool AllowDeidentified { get; private set; }
    public int Jobs { get; private set; } = Environment.ProcessorCount;
    public bool RenameByUid { get; private set; }
    /// <summary>--audit DIR: where one audit record per file and outcome is written (with -e).</summary>
    public string? AuditDirectory { get; private set; }
    public Uri? KeyVault { get; private set; }
    public string? CertificateName { get; private set; }

    private const string ValueShortFlags = "iokcp";

    /// <summary>Parses getopt-style: long options with "=value" or a separate value, bundled short flags, "--" ends options.</summary>
    /// <exception cref="CliUsageException">An unknown option, a missing value, or a value that does not parse.</exception>
    public static AnonArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new AnonArguments();
        var positional = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                string name = equals < 0 ? arg[2..] : arg[2..equals];
                string? inline = equals < 0 ? null : arg[(equals + 1)..];
                parsed.ApplyLong(name, inline, () => NextValue(args, ref i, arg));
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                for (int c = 1; c < arg.Length; c++)
                {
                    char flag = arg[c];
                    if (ValueShortFlags.Contains(flag))
                    {
                        string value = c + 1 < arg.Length ? arg[(c + 1)..] : NextValue(args, ref i, $"-{flag}");
                        parsed.ApplyShort(flag, value);
                        break;
                    }
                    parsed.ApplyShort(flag, null);
                }
            }
            else
            {
                positional.Add(arg);
            }
        }
        parsed.TakePositional(positional);
        return parsed;
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i, string option) =>
        ++i < args.Count ? args[i] : throw new CliUsageException($"option {option} needs a value");

    private void ApplyShort(char flag, string? value)
    {
        switch (flag)
        {
            case 'e': SetMode(AnonMode.Deidentify); break;
            case 'd': SetMode(AnonMode.Reidentify); break;
            case 'r': Recursive = true; break;
            case 'i': Input = SetOnce(Input, value!, "-i/--input"); break;
            case 'o': Output = SetOnce(Output, value!, "-o/--output"); break;
            case 'k': KeyPath = SetOnce(KeyPath, value!, "-k/--key"); break;
            case 'c': CertificatePath = SetOnce(CertificatePath, value!, "-c/--certificate"); break;
            case 'p': throw new CliUsageException($"-p/--password would show the password in `ps`: put it in a file for --password-file FILE, or in {PasswordEnvironmentVariable}");
            case 'V' or 'W': Verbosity = Verbosity == Verbosity.Debug ? Verbosity.Debug : Verbosity.Warnings; break;
            case 'E': break; // errors are always printed
            case 'D': Verbosity = Verbosity.Debug; break;
            case 'h': Help = true; break;
            case 'v': Version = true; break;
            default: throw new CliUsageException($"unknown option -{flag} (see cloudanon --help)");
        }
    }

    private void ApplyLong(string name, string? inline, Func<string> next)
    {
        string Value() => inline ?? next();
        switch (name)
        {
            case "de-identify": ApplyShort('e', null); break;
            case "re-identify": ApplyShort('d', null); break;
            case "dumb": SetMode(AnonMode.Dumb); break;
            case "input": ApplyShort('i', Value()); break;
            case "output": ApplyShort('o', Value()); break;
            case "recursive": Recursive = true; break;
            case "continue": Continue = true; break;
            case "root-uid": RootUid = CheckedRootUid(Value(), "--root-uid"); break;
            case "resources-path": _ = Value(); break; // gdcmanon's Part3.xml location: CloudAnon embeds its tables
            case "crypto": _ = Value(); break; // gdcmanon's crypto back end: CloudAnon always uses .NET's
            case "key": ApplyShort('k', Value()); break;
            case "certificate": ApplyShort('c', Value()); break;
            case "password": _ = Value(); ApplyShort('p', null); break;
            case "password-file": Password = SecretFile.Read(Value(), "--password-file"); break;
            case "des":
                throw new CliUsageException("--des is refused: single DES has a 56-bit key and is insecure. Use --aes256 (the default), --aes192, --aes128 or --des3.");
            case "des3" or "aes128" or "aes192" or "aes256": Cipher = ContentCiphers.Parse(name); break;
            case "empty": AddEdit(DumbAction.Empty, name, Value()); break;
            case "clear": AddEdit(DumbAction.Clear, name, Value()); break;
            case "remove": AddEdit(DumbAction.Remove, name, Value()); break;
            case "replace": AddEdit(DumbAction.Replace, name, Value()); break;
            case "verbose": ApplyShort('V', null); break;
            case "warning": ApplyShort('W', null); break;
            case "error": ApplyShort('E', null); break;
            case "debug": ApplyShort('D', null); break;
            case "help": Help = true; break;
            case "version": Version = true; break;
            case "option":
                Options = WithOption(Options, Value());
                break;
            case "irreversible": Irreversible = true; break;
            case "allow-deidentified": AllowDeidentified = true; break;
            case "jobs":
                string jobs = Value();
                Jobs = int.TryParse(jobs, out int n) && n > 0 ? n : throw new CliUsageException($"--jobs needs a positive number, not '{jobs}'");
                break;
            case "rename-by-uid": RenameByUid = true; break;
            case "audit": AuditDirectory = SetOnce(AuditDirectory, Value(), "--audit"); break;
            case "key-vault":
                string uri = Value();
                KeyVault = Uri.TryCreate(uri, UriKind.Absolute, out var vault) && vault.Scheme == Uri.UriSchemeHttps
                    ? vault
                    : throw new CliUsageException($"--key-vault needs an https:// vault URI, not '{uri}'");
                break;
            case "certificate-name": CertificateName = Value(); break;
            default: throw new CliUsageException($"unknown option --{name} (see cloudanon --help)");
        }
    }

    private void SetMode(AnonMode mode)
    {
        if (Mode is { } existing && existing != mode) throw new CliUsageException("choose one of -e/--de-identify, -d/--re-identify and --dumb");
        Mode = mode;
    }

    private void AddEdit(DumbAction action, string option, string argument)
    {
        if (!DumbEdit.TryParse(action, argument, out var edit))
        {
            string form = action == DumbAction.Replace ? "g,e=value, g,e,value or g,e,creator=value" : "g,e or g,e,creator";
            throw new CliUsageException($"--{option} '{argument}': expected {form} with hexadecimal group and element (not group 0002)");
        }
        Edits.Add(edit!);
    }

    /// <summary>Applies one --option value (a name, or a comma list of them) through Core's one parser of option names.</summary>
    internal static DeidentificationOptions WithOption(DeidentificationOptions options, string option) =>
        ProfileOptionNames.TryApply(options, option, out var applied)
            ? applied
            : throw new CliUsageException($"unknown --option '{option}': use one of {ProfileOptionNames.Usage}");

    /// <summary>A --root-uid/--uid-root value, checked by Core's one UID root rule.</summary>
    internal static string CheckedRootUid(string root, string option) =>
        UidRoot.IsValid(root) ? root : throw new CliUsageException($"{option} must be {UidRoot.Rule}");

    private static string SetOnce(string? current, string value, string option) =>
        current is null ? value : throw new CliUsageException($"{option} given twice");

    private void TakePositional(List<string> positional)
    {
        if (positional.Count == 0) return;
        if (positional.Count != 2 || Input is not null || Output is not null)
        {
            throw new CliUsageException("give the input and output either as two operands (IN OUT) or with -i IN -o OUT");
        }
        (Input, Output) = (positional[0], positional[1]);
    }
}
