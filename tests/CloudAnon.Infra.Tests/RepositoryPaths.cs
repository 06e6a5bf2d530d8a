namespace CloudAnon.Infra.Tests;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Infra => Path.Combine(Root, "infra");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CloudAnon.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("No folder above the test binaries holds CloudAnon.sln.");
    }
}
