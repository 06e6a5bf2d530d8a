using System.Text.Json;

namespace CloudAnon.Infra.Tests;

/// <summary>infra/main.bicep compiled once per test run with the NuGet-restored Bicep CLI, plus its lint output.</summary>
public sealed class CompiledInfrastructure : IDisposable
{
    private readonly string _outputDirectory = Directory.CreateTempSubdirectory("cloudanon-infra-").FullName;
    private readonly JsonDocument _document;

    public CompiledInfrastructure()
    {
        var mainBicep = Path.Combine(RepositoryPaths.Infra, "main.bicep");
        var outputFile = Path.Combine(_outputDirectory, "main.json");
        Build = BicepCli.Run("build", mainBicep, "--outfile", outputFile);
        Lint = BicepCli.Run("lint", mainBicep);
        Assert.True(Build.ExitCode == 0, $"bicep build failed:\n{Build.Diagnostics}");
        _document = JsonDocument.Parse(File.ReadAllText(outputFile));
        Root = ArmScope.Root(_document.RootElement);
    }

    internal BicepCli.Result Build { get; }

    internal BicepCli.Result Lint { get; }

    internal ArmScope Root { get; }

    internal IEnumerable<ArmResource> ResourcesOfType(string type) => Root.AllResources().Where(r => r.Type == type);

    public void Dispose()
    {
        _document.Dispose();
        Directory.Delete(_outputDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledInfrastructureCollection : ICollectionFixture<CompiledInfrastructure>
{
    public const string Name = "compiled infrastructure";
}
