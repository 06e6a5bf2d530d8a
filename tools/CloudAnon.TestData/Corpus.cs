namespace CloudAnon.TestData;

/// <summary>The shared test corpus (../shared/corpus beside the repository), as MANIFEST.tsv lists it. Read in place, never copied.</summary>
public static class Corpus
{
    private static readonly Lazy<IReadOnlyList<CorpusFile>> Manifest = new(LoadManifest);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Directory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "corpus"));

    public static string ReferenceDirectory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "reference"));

    public static IReadOnlyList<CorpusFile> Files => Manifest.Value;

    /// <summary>DICOM files that are not in defective/ or non-dicom/.</summary>
    public static IEnumerable<CorpusFile> WellFormed => Files.Where(f => f.IsDicom && !f.IsDefective);

    public static CorpusFile Get(string relativePath) => Files.Single(f => f.RelativePath == relativePath);

    private static IReadOnlyList<CorpusFile> LoadManifest()
    {
        string manifest = Path.Combine(Directory, "MANIFEST.tsv");
        if (!File.Exists(manifest)) throw new FileNotFoundException($"The shared corpus is missing: expected {manifest} (../shared beside the repository).");
        return File.ReadLines(manifest).Skip(1)
            .Select(line => line.Split('\t'))
            .Select(c => new CorpusFile(c[0], Path.Combine(Directory, c[0]), long.Parse(c[1]), c[3], c[4], c[5].Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CloudAnon.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException("CloudAnon.sln not found above the test binaries.");
    }
}

public sealed record CorpusFile(string RelativePath, string FullPath, long Bytes, string TransferSyntaxUid, string SopClass, string[] Features)
{
    public bool IsDicom => !RelativePath.StartsWith("non-dicom/", StringComparison.Ordinal);
    public bool IsDefective => RelativePath.StartsWith("defective/", StringComparison.Ordinal);
    public bool IsDeflated => TransferSyntaxUid == "1.2.840.10008.1.2.1.99";
    public bool HasFeature(string feature) => Features.Contains(feature);

    public override string ToString() => RelativePath;
}
