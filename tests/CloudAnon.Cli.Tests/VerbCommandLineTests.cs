namespace CloudAnon.Cli.Tests;

/// <summary>The command line of every verb, run as the built cloudanon.dll: help, errors that name the argument, and secrets refused as values.</summary>
public sealed class VerbCommandLineTests
{
    [Theory]
    [InlineData("dump")]
    [InlineData("convert")]
    [InlineData("process")]
    [InlineData("backfill")]
    [InlineData("gateway")]
    public void Every_verb_has_help(string verb)
    {
        var run = CliHarness.Process(verb, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"Usage: cloudanon {verb}", run.Out);
        Assert.Contains("-h --help", run.Out);
    }

    [Theory]
    [InlineData("process --bogus", "unknown argument '--bogus' (see cloudanon process --help)")]
    [InlineData("process --uid-root 1.2", "unknown argument '--uid-root'")]
    [InlineData("process --irreversible --root-uid 1.02", "--root-uid must be digits and dots")]
    [InlineData("process --irreversible --jobs many", "--jobs must be a positive whole number")]
    [InlineData("process --irreversible --account not-a-uri", "--account must be an absolute https:// endpoint URI")]
    [InlineData("process --irreversible --account https://example.blob.core.windows.net --connection UseDevelopmentStorage=true", "give --account or --connection, not both")]
    [InlineData("process --irreversible --account https://localhost:1/acct", "cannot derive the table endpoint from --account")]
    [InlineData("process --certificate a.pem --irreversible", "give one of --certificate FILE, --certificate-name NAME (with --key-vault) or --irreversible")]
    [InlineData("backfill --queue", "--queue needs a value (see cloudanon backfill --help)")]
    [InlineData("gateway --calling-ae MODALITY@not-an-address", "--calling-ae must be AE or AE@address")]
    [InlineData("gateway --calling-ae SEVENTEEN-LETTERS", "--calling-ae must be AE or AE@address")]
    [InlineData("gateway --ae-title A\\B", "--ae-title must be 1 to 16 characters")]
    [InlineData("gateway --connection UseDevelopmentStorage=true --port 70000", "--port must be a port number from 1 to 65535")]
    [InlineData("gateway --connection UseDevelopmentStorage=true --port +104", "--port must be a port number from 1 to 65535")]
    [InlineData("gateway --connection UseDevelopmentStorage=true --http-port 0", "--http-port must be a port number from 1 to 65535")]
    [InlineData("gateway --max-associations 0", "--max-associations must be a positive whole number")]
    [InlineData("gateway --max-pdu 1000", "--max-pdu must be at least 16384")]
    [InlineData("gateway --listen somewhere", "--listen must be an IPv4 or IPv6 address")]
    [InlineData("gateway --tls-key k.pem", "--tls-key goes with --tls-certificate")]
    [InlineData("gateway --account not-a-uri", "--account must be an absolute https:// endpoint URI")]
    [InlineData("dump", "give one FILE (see cloudanon dump --help)")]
    [InlineData("convert a.dcm", "give IN and OUT")]
    [InlineData("convert a.dcm b.dcm -t sideways", "--transfer-syntax must be one of implicit, explicit, big, deflated")]
    public void Usage_errors_name_the_argument_and_the_rule(string commandLine, string message)
    {
        var run = CliHarness.Process(commandLine.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.StartsWith($"cloudanon {commandLine.Split(' ')[0]}: ", run.Error);
    }

    [Theory]
    [InlineData("process --irreversible --connection UseDevelopmentStorage=true --mapping-key", "--mapping-key-file FILE")]
    [InlineData("gateway --connection UseDevelopmentStorage=true --mapping-key", "--mapping-key-file FILE")]
    [InlineData("-e --irreversible -p", "--password-file FILE")]
    [InlineData("-e --irreversible --password", "--password-file FILE")]
    public void Secrets_given_as_values_are_refused_without_echoing_them(string commandLine, string alternative)
    {
        const string secret = "c2VjcmV0LXRoYXQtbXVzdC1ub3QtYmUtZWNob2VkLWJhY2stdG8tdGhlLXRlcm1pbmFs";

        var run = CliHarness.Process([.. commandLine.Split(' '), secret]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("ps", run.Error);
        Assert.Contains(alternative, run.Error);
        Assert.DoesNotContain(secret, run.Error + run.Out);
    }

    [Theory]
    [InlineData("process", "--irreversible")]
    [InlineData("gateway", "--port=11112")]
    public void The_mapping_key_from_the_environment_is_checked_by_the_one_rule(string verb, string option)
    {
        var run = CliHarness.Process([verb, option, "--connection", "UseDevelopmentStorage=true"],
            new Dictionary<string, string> { ["CLOUDANON_MAPPING_KEY"] = "dG9vIHNob3J0" });

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("the mapping key in CLOUDANON_MAPPING_KEY must be base64 of at least 32 bytes", run.Error);
    }
}
