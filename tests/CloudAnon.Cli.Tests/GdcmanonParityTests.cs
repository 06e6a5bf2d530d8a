namespace CloudAnon.Cli.Tests;

/// <summary>cloudanon and gdcmanon run on the same inputs: the same data-set edits in dumb mode and the same exit codes for the same failures.</summary>
public sealed class GdcmanonParityTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public static TheoryData<string, string[]> DumbOperations => new()
    {
        { CliHarness.ExplicitMr, ["--empty", "10,10"] },
        { CliHarness.ExplicitMr, ["--empty", "10,1000"] },
        { CliHarness.ExplicitMr, ["--clear", "10,20"] },
        { CliHarness.ExplicitMr, ["--clear", "10,1000"] },
        { CliHarness.ExplicitMr, ["--remove", "10,40"] },
        { CliHarness.ExplicitMr, ["--remove", "10,1000"] },
        { CliHarness.ExplicitMr, ["--replace", "10,1030,10"] },
        { CliHarness.ExplicitMr, ["--replace", "10,2180=AB C"] },
        { CliHarness.ExplicitMr, ["--empty", "29,50,ACME"] },
        // The man page's five operations at once.
        { CliHarness.ExplicitMr, ["--empty", "10,10", "--clear", "10,20", "--remove", "10,40", "--remove", "10,1010", "--replace", "10,1030,10"] },
        { CliHarness.ImplicitSiemens, ["--clear", "29,1008,SIEMENS CSA HEADER"] },
        { CliHarness.ImplicitSiemens, ["--empty", "29,08,SIEMENS CSA HEADER"] },
        { CliHarness.ImplicitSiemens, ["--remove", "29,10,SIEMENS CSA HEADER"] },
        { CliHarness.ImplicitSiemens, ["--clear", "29,50,SIEMENS CSA HEADER"] },
        { CliHarness.ImplicitSiemens, ["--remove", "29,11"] },
    };

    [Theory]
    [MemberData(nameof(DumbOperations))]
    public void Dumb_mode_makes_the_same_data_set_edits_as_gdcmanon(string corpusFile, string[] operations)
    {
        string input = _harness.Copy(corpusFile, "in.dcm");
        string expected = _harness.Path("gdcmanon.dcm");
        string actual = _harness.Path("cloudanon.dcm");

        var gdcm = CliHarness.Gdcmanon(["--dumb", .. operations, input, expected]);
        var ours = CliHarness.InProcess(["--dumb", .. operations, input, actual]);

        Assert.True(gdcm.ExitCode == 0, gdcm.Error);
        Assert.True(ours.ExitCode == 0, ours.Error);
        Assert.Equal(CliHarness.DatasetListing(expected).Split('\n'), CliHarness.DatasetListing(actual).Split('\n'));
    }

    [Fact]
    public void Emptying_an_absent_sequence_gives_the_same_data_set_though_gdcmanon_reports_failure()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");

        var gdcm = CliHarness.Gdcmanon("--dumb", "--empty", "8,1140", input, _harness.Path("g.dcm"));
        var ours = CliHarness.InProcess("--dumb", "--empty", "8,1140", input, _harness.Path("c.dcm"));

        // gdcmanon 3.0.21 writes the empty sequence and still exits 1; CloudAnon reports the success it had.
        Assert.Equal(1, gdcm.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(CliHarness.DatasetListing(_harness.Path("g.dcm")).Split('\n'), CliHarness.DatasetListing(_harness.Path("c.dcm")).Split('\n'));
        Assert.Contains("(0008,1140) SQ", CliHarness.DatasetListing(_harness.Path("c.dcm")));
    }

    [Fact]
    public void Non_dicom_input_without_continue_fails_with_gdcmanons_exit_code()
    {
        string input = _harness.Copy(CliHarness.NotDicom, "in.pdf");

        var gdcm = CliHarness.Gdcmanon("-c", _harness.CertificatePath, input, _harness.Path("g.dcm"));
        var ours = CliHarness.Process("-c", _harness.CertificatePath, input, _harness.Path("c.dcm"));

        Assert.Equal(1, gdcm.ExitCode);
        Assert.Equal(gdcm.ExitCode, ours.ExitCode);
        Assert.Contains(input, ours.Error);
        Assert.Contains("offset", ours.Error);
        Assert.False(File.Exists(_harness.Path("c.dcm")));
    }

    [Fact]
    public void Missing_key_fails_with_gdcmanons_exit_code()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string missing = _harness.Path("no-such-key.pem");

        var gdcm = CliHarness.Gdcmanon("-d", "-k", missing, input, _harness.Path("g.dcm"));
        var ours = CliHarness.Process("-d", "-k", missing, "-c", _harness.CertificatePath, input, _harness.Path("c.dcm"));

        Assert.Equal(1, gdcm.ExitCode);
        Assert.Equal(gdcm.ExitCode, ours.ExitCode);
        Assert.Contains(missing, ours.Error);
    }

    [Fact]
    public void Bad_tag_syntax_fails_in_both_and_is_a_usage_error_for_cloudanon()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");

        var gdcm = CliHarness.Gdcmanon("--dumb", "--empty", "10,zz", input, _harness.Path("g.dcm"));
        var ours = CliHarness.Process("--dumb", "--empty", "10,zz", input, _harness.Path("c.dcm"));

        // gdcmanon exits 1 for every failure; CloudAnon keeps 2 for command-line mistakes (documented in docs/cli.md).
        Assert.Equal(1, gdcm.ExitCode);
        Assert.Equal(ExitCodes.UsageError, ours.ExitCode);
        Assert.Contains("10,zz", ours.Error);
    }

    [Fact]
    public void Already_deidentified_input_is_refused_like_gdcmanon_unless_allowed()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string once = _harness.Path("once.dcm");
        Assert.Equal(0, CliHarness.Gdcmanon("-c", _harness.CertificatePath, input, once).ExitCode);

        var gdcm = CliHarness.Gdcmanon("-c", _harness.CertificatePath, once, _harness.Path("g.dcm"));
        var ours = CliHarness.InProcess("-c", _harness.CertificatePath, once, _harness.Path("c.dcm"));
        var allowed = CliHarness.InProcess("--irreversible", "--allow-deidentified", once, _harness.Path("allowed.dcm"));

        Assert.Equal(1, gdcm.ExitCode);
        Assert.Equal(1, ours.ExitCode);
        Assert.Contains("--allow-deidentified", ours.Error);
        Assert.Equal(0, allowed.ExitCode);
    }

    [Fact]
    public void Dumb_mode_does_not_refuse_already_deidentified_input_as_gdcmanon()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string once = _harness.Path("once.dcm");
        Assert.Equal(0, CliHarness.InProcess("-c", _harness.CertificatePath, input, once).ExitCode);

        Assert.Equal(0, CliHarness.Gdcmanon("--dumb", "--remove", "400,500", once, _harness.Path("g.dcm")).ExitCode);
        Assert.Equal(0, CliHarness.InProcess("--dumb", "--remove", "400,500", once, _harness.Path("c.dcm")).ExitCode);
        Assert.Equal(CliHarness.DatasetListing(_harness.Path("g.dcm")), CliHarness.DatasetListing(_harness.Path("c.dcm")));
    }

    [Fact]
    public void Gdcmanon_reidentifies_cloudanon_output_and_cloudanon_reidentifies_gdcmanon_output()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string ours = _harness.Path("ours.dcm");
        string theirs = _harness.Path("theirs.dcm");
        Assert.Equal(0, CliHarness.InProcess("-e", "-c", _harness.CertificatePath, input, ours).ExitCode);
        Assert.Equal(0, CliHarness.Gdcmanon("-e", "-c", _harness.CertificatePath, input, theirs).ExitCode);

        var gdcmBack = CliHarness.Gdcmanon("-d", "-k", _harness.KeyPath, ours, _harness.Path("ours-back.dcm"));
        var oursBack = CliHarness.InProcess("-d", "-k", _harness.KeyPath, "-c", _harness.CertificatePath, theirs, _harness.Path("theirs-back.dcm"));

        Assert.True(gdcmBack.ExitCode == 0, gdcmBack.Error);
        Assert.True(oursBack.ExitCode == 0, oursBack.Error);
        Assert.Equal(CliHarness.DatasetListing(input), CliHarness.DatasetListing(_harness.Path("theirs-back.dcm")));
        Assert.Contains("(0010,0010) PN [CompressedSamples^MR1]", CliHarness.DatasetListing(_harness.Path("ours-back.dcm")));
    }

    public void Dispose() => _harness.Dispose();
}
