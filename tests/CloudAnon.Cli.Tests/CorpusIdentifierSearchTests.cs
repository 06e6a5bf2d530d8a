using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// Every corpus file cloudanon de-identifies (reversibly, as the pipeline does; already de-identified inputs too), judged
/// by pydicom: none of the original's names, identifying values or instance UIDs, at any depth or in the File Meta group,
/// is in the output's bytes (Oracles/identifier_search.py says which values and how it searches).
/// </summary>
public sealed class CorpusIdentifierSearchTests : IDisposable
{
    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData("")]
    // The options that keep text and graphics, cleaned instead of removed: what is left of descriptions is searched too.
    [InlineData("clean-descriptors clean-structured-content clean-graphics")]
    public void No_identifying_value_of_any_corpus_file_is_in_its_output(string options)
    {
        string outputs = _harness.Path("out");
        string[] optionArguments = [.. options.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(option => new[] { "--option", option })];
        var run = CliHarness.InProcess(["-e", "-c", _harness.CertificatePath, "-r", "--continue", "--allow-deidentified", .. optionArguments, "-i", Corpus.Directory, "-o", outputs]);
        Assert.True(run.ExitCode is 0 or 1, run.Error);

        var pairs = Directory.EnumerateFiles(outputs, "*", SearchOption.AllDirectories)
            .SelectMany(output => new[] { Path.Combine(Corpus.Directory, Path.GetRelativePath(outputs, output)), output })
            .ToList();
        Assert.True(pairs.Count / 2 >= 150, $"only {pairs.Count / 2} corpus files were de-identified");

        string oracle = Path.Combine(AppContext.BaseDirectory, "Oracles", "identifier_search.py");
        string table = Path.Combine(Corpus.ReferenceDirectory, "confidentiality_profile_attributes.json");
        var search = ExternalTool.Run("/usr/bin/python3", [oracle, table, .. pairs], TimeSpan.FromMinutes(5));
        Assert.True(search.ExitCode == 0, search.StandardError);
        Assert.True(search.StandardOutput.Length == 0, search.StandardOutput);
    }
}
