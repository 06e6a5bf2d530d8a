namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed class BicepCompilationTests(CompiledInfrastructure infrastructure)
{
    [Fact]
    public void Build_ReportsNoWarningsOrErrors()
    {
        // Some type mismatches (BCP036) are only warnings, so any diagnostic at all fails the build check.
        Assert.Equal(0, infrastructure.Build.ExitCode);
        Assert.DoesNotContain("Warning", infrastructure.Build.Diagnostics, StringComparison.Ordinal);
        Assert.DoesNotContain("Error", infrastructure.Build.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ReportsNothing()
    {
        Assert.True(infrastructure.Lint.ExitCode == 0, infrastructure.Lint.Diagnostics);
        Assert.Equal(string.Empty, infrastructure.Lint.Diagnostics.Trim());
    }

    [Fact]
    public void BicepFiles_UseOnlyLocalModules()
    {
        // Registry modules (br:, br/public:, ts:) cannot be restored offline.
        var offenders = Directory.EnumerateFiles(RepositoryPaths.Infra, "*.bicep", SearchOption.AllDirectories)
            .Where(file => File.ReadLines(file).Any(line =>
                line.Contains("'br:", StringComparison.Ordinal) || line.Contains("'br/", StringComparison.Ordinal) ||
                line.Contains("'ts:", StringComparison.Ordinal) || line.Contains("'ts/", StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void Linter_RaisesTheRulesTheTemplatesRelyOnToErrors()
    {
        using var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "bicepconfig.json")));
        var rules = config.RootElement.GetProperty("analyzers").GetProperty("core").GetProperty("rules");
        string[] errors = ["no-hardcoded-env-urls", "outputs-should-not-contain-secrets", "secure-parameter-default", "use-secure-value-for-secure-inputs", "no-unused-params"];
        foreach (var rule in errors)
        {
            Assert.Equal("error", rules.GetProperty(rule).GetProperty("level").GetString());
        }

        // azd compiles with its own Bicep, whose newer or older rules may judge differently: every other rule only warns
        // there. Lint_ReportsNothing still holds the templates to all of them with the pinned version.
        Assert.All(rules.EnumerateObject().Where(r => !errors.Contains(r.Name)), r => Assert.Equal("warning", r.Value.GetProperty("level").GetString()));
    }
}
