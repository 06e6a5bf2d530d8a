using CloudAnon.TestSupport;

namespace CloudAnon.Infra.Tests;

internal static class RepositoryPaths
{
    public static string Root => Corpus.RepositoryRoot;

    public static string Infra => Path.Combine(Root, "infra");
}
