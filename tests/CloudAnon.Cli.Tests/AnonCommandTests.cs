using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Cli.Tests;

public sealed class AnonCommandTests : IDisposable
{
    private readonly CliHarness _harness = new();

    private static async Task<DicomDataset> ReadAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        using var file = await DicomFile.OpenAsync(stream);
        return file.Dataset;
    }

    private static string Uid(DicomDataset dataset, DicomTag tag) => dataset.GetAsciiString(tag) ?? "";

    public static TheoryData<string[]> AcceptedFlags => new()
    {
        { ["-e", "-c", "{cert}"] },
        { ["--de-identify", "--certificate", "{cert}", "--aes128"] },
        { ["-c", "{cert}", "--aes192", "-V"] },
        { ["-c", "{cert}", "--aes256", "-W", "-E"] },
        { ["-c", "{cert}", "--des3", "-D"] },
        { ["--certificate={cert}", "--verbose", "--warning", "--error", "--debug"] },
        { ["-c", "{cert}", "--root-uid", "1.2.826.0.1.3680043.9.9999", "--resources-path", "/nonexistent", "--crypto=openssl"] },
        { ["--irreversible", "--option", "retain-uids", "--option", "clean-descriptors", "--jobs", "1"] },
        { ["--irreversible", "--option", "retain-longitudinal-modified-dates", "--option", "retain-patient-characteristics", "--option", "retain-device-identity"] },
        { ["--irreversible", "--option", "retain-institution-identity", "--option", "retain-safe-private", "--option", "clean-structured-content", "--option", "clean-graphics"] },
        { ["--irreversible", "--option", "retain-longitudinal-full-dates", "--rename-by-uid"] },
        { ["--dumb", "--empty", "10,10", "--clear", "10,20", "--remove", "10,40", "--replace", "10,1030=10"] },
        { ["--dumb", "--continue", "-r", "--empty", "29,10,SIEMENS CSA HEADER"] },
    };

    [Theory]
    [MemberData(nameof(AcceptedFlags))]
    public void Each_flag_is_accepted(string[] flags)
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string[] args = [.. flags.Select(f => f.Replace("{cert}", _harness.CertificatePath, StringComparison.Ordinal)), "-i", input, "-o", _harness.Path("out", "o.dcm")];

        var run = CliHarness.InProcess(args);

        Assert.True(run.ExitCode == 0, run.Error);
    }

    [Fact]
    public void Help_lists_every_flag_and_version_prints_one_line()
    {
        var help = CliHarness.InProcess("--help");
        string[] flags =
        [
            "-e", "--de-identify", "-d", "--re-identify", "--dumb", "-i", "--input", "-o", "--output", "-r", "--recursive", "--continue",
            "--root-uid", "GDCM_ROOT_UID", "--resources-path", "-k", "--key", "-c", "--certificate", "-p", "--password", "--des", "--des3",
            "--aes128", "--aes192", "--aes256", "--empty", "--clear", "--remove", "--replace", "-V", "--verbose", "-W", "--warning",
            "-E", "--error", "-D", "--debug", "-h", "--help", "-v", "--version", "--option", "--irreversible", "--allow-deidentified",
            "--jobs", "--rename-by-uid", "--key-vault", "--certificate-name",
        ];
        Assert.Equal(0, help.ExitCode);
        Assert.All(flags, flag => Assert.Matches($"(^|\\s){flag}[\\s.=,]", help.Out));
        Assert.All(ProfileOptionNames.All, option => Assert.Contains(option.Usage, help.Out));

        var version = CliHarness.InProcess("-v");
        Assert.StartsWith("cloudanon ", version.Out);
    }

    [Theory]
    [InlineData("--des", "insecure")]
    [InlineData("--bogus", "unknown option")]
    [InlineData("--option", "unknown --option")]
    public void Usage_errors_exit_2_with_a_clear_message(string flag, string message)
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string[] args = flag == "--option" ? ["-c", _harness.CertificatePath, flag, "retain-everything"] : ["-c", _harness.CertificatePath, flag];

        var run = CliHarness.InProcess([.. args, input, _harness.Path("o.dcm")]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.False(File.Exists(_harness.Path("o.dcm")));
    }

    [Fact]
    public void De_identification_without_a_certificate_is_refused_unless_irreversible_is_explicit()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");

        var refused = CliHarness.InProcess(input, _harness.Path("o.dcm"));
        var contradictory = CliHarness.InProcess("--irreversible", "-c", _harness.CertificatePath, input, _harness.Path("o.dcm"));

        Assert.Equal(ExitCodes.UsageError, refused.ExitCode);
        Assert.Contains("--irreversible", refused.Error);
        Assert.Equal(ExitCodes.UsageError, contradictory.ExitCode);
        Assert.False(File.Exists(_harness.Path("o.dcm")));
    }

    [Fact]
    public void Input_equal_to_output_is_refused_for_files_and_directories()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "dir", "in.dcm");
        byte[] before = File.ReadAllBytes(input);

        Assert.Equal(ExitCodes.UsageError, CliHarness.InProcess("--irreversible", input, input).ExitCode);
        Assert.Equal(ExitCodes.UsageError, CliHarness.InProcess("--irreversible", _harness.Path("dir"), _harness.Path("dir") + "/").ExitCode);
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public async Task De_identify_then_re_identify_restores_the_data_set_in_separate_processes()
    {
        string input = _harness.Copy(CliHarness.ExplicitMr, "in.dcm");
        string deidentified = _harness.Path("deid.dcm");
        string restored = _harness.Path("back.dcm");

        var forward = CliHarness.Process("-e", "-c", _harness.CertificatePath, input, deidentified);
        var back = CliHarness.Process("-d", "-k", _harness.KeyPath, "-c", _harness.CertificatePath, deidentified, restored);

        Assert.True(forward.ExitCode == 0, forward.Error);
        Assert.True(back.ExitCode == 0, back.Error);
        Assert.DoesNotContain("CompressedSamples", CliHarness.DatasetListing(deidentified));
        Assert.Equal(CliHarness.DatasetListing(input), CliHarness.DatasetListing(restored));
        Assert.Equal(Uid(await ReadAsync(input), DicomTag.SopInstanceUid), Uid(await ReadAsync(restored), DicomTag.SopInstanceUid));
    }

    [Fact]
    public void Directory_mode_with_continue_mirrors_the_tree_and_skips_non_dicom_files()
    {
        _harness.Copy(CliHarness.ExplicitMr, "in", "a.dcm");
        _harness.Copy(CliHarness.ImplicitSiemens, "in", "sub", "b.dcm");
        _harness.Copy(CliHarness.NotDicom, "in", "sub", "readme.pdf");
        string input = _harness.Path("in");

        var gdcm = CliHarness.Gdcmanon("--continue", "-r", "-c", _harness.CertificatePath, input, _harness.Path("g"));
        var ours = CliHarness.InProcess("--continue", "-r", "-c", _harness.CertificatePath, input, _harness.Path("c"));
        var stopped = CliHarness.InProcess("-r", "--jobs", "1", "-c", _harness.CertificatePath, input, _harness.Path("stopped"));

        Assert.Equal(0, gdcm.ExitCode);
        // gdcmanon says 0 when it skipped files; CloudAnon says 1 (files were skipped), as documented.
        Assert.Equal(ExitCodes.SomeFilesFailed, ours.ExitCode);
        Assert.Contains("1 skipped", ours.Error);
        Assert.Contains(Path.Join(input, "sub", "readme.pdf"), ours.Error);
        Assert.True(File.Exists(_harness.Path("c", "a.dcm")));
        Assert.True(File.Exists(_harness.Path("c", "sub", "b.dcm")));
        Assert.False(File.Exists(_harness.Path("c", "sub", "readme.pdf")));
        Assert.Empty(Directory.EnumerateFiles(_harness.Path("c"), "*.partial", SearchOption.AllDirectories));
        Assert.Equal(ExitCodes.SomeFilesFailed, stopped.ExitCode);
    }

    [Fact]
    public void A_directory_run_that_keeps_input_names_says_so_once_and_points_at_rename_by_uid()
    {
        _harness.Copy(CliHarness.ExplicitMr, "in", "DOE_JANE_1.dcm");
        _harness.Copy(CliHarness.ImplicitSiemens, "in", "DOE_JANE_2.dcm");
        string input = _harness.Path("in");

        var kept = CliHarness.InProcess("--irreversible", input, _harness.Path("kept"));
        var renamed = CliHarness.InProcess("--irreversible", "--rename-by-uid", input, _harness.Path("renamed"));
        var single = CliHarness.InProcess("--irreversible", Path.Join(input, "DOE_JANE_1.dcm"), _harness.Path("single.dcm"));

        Assert.True(kept.ExitCode == 0, kept.Error);
        Assert.True(File.Exists(_harness.Path("kept", "DOE_JANE_1.dcm")));
        Assert.Equal(1, kept.Error.Split(AnonCommand.KeptNamesNotice).Length - 1);
        Assert.Contains("--rename-by-uid", kept.Error);
        Assert.True(renamed.ExitCode == 0, renamed.Error);
        Assert.DoesNotContain(AnonCommand.KeptNamesNotice, renamed.Error);
        Assert.DoesNotContain(AnonCommand.KeptNamesNotice, single.Error);
    }

    [Fact]
    public async Task Parallel_jobs_share_one_mapping_and_rename_by_uid_uses_the_new_uids()
    {
        string original = _harness.Copy(CliHarness.ExplicitMr, "seed.dcm");
        const int files = 12;
        for (int i = 0; i < files; i++)
        {
            var made = CliHarness.InProcess("--dumb", "--replace", $"8,18=1.2.826.0.1.3680043.9.7777.{i + 1}", original, _harness.Path("in", $"{i}.dcm"));
            Assert.True(made.ExitCode == 0, made.Error);
        }
        string originalStudy = Uid(await ReadAsync(original), DicomTag.StudyInstanceUid);

        var run = CliHarness.InProcess("--irreversible", "--jobs", "4", "--rename-by-uid", _harness.Path("in"), _harness.Path("out"));

        Assert.True(run.ExitCode == 0, run.Error);
        var outputs = Directory.GetFiles(_harness.Path("out"), "*.dcm", SearchOption.AllDirectories);
        Assert.Equal(files, outputs.Length);
        var datasets = await Task.WhenAll(outputs.Select(ReadAsync));
        string study = Assert.Single(datasets.Select(d => Uid(d, DicomTag.StudyInstanceUid)).Distinct());
        Assert.NotEqual(originalStudy, study);
        Assert.Equal(files, datasets.Select(d => Uid(d, DicomTag.SopInstanceUid)).Distinct().Count());
        foreach (var (path, dataset) in outputs.Zip(datasets))
        {
            string expected = Path.Combine(_harness.Path("out"), study, Uid(dataset, DicomTag.SeriesInstanceUid), Uid(dataset, DicomTag.SopInstanceUid) + ".dcm");
            Assert.Equal(expected, path);
        }
    }

    public void Dispose() => _harness.Dispose();
}
