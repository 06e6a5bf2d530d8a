using CloudAnon.Generate;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Profile;

public class IodTypeGeneratorTests
{
    /// <summary>GDCM's XML extracts, from Debian's libgdcm3.0 (scripts/install-test-tools.sh installs it).</summary>
    private const string GdcmXmlDirectory = "/usr/share/gdcm-3.0/XML";

    private static readonly string Overrides = Path.Combine(Corpus.RepositoryRoot, "tools", "CloudAnon.Generate", "iod-type-overrides.tsv");
    private static readonly string CurrentIodModules = Path.Combine(Corpus.RepositoryRoot, "tools", "CloudAnon.Generate", "highdicom-2026b");

    [Fact]
    public void Regenerating_the_table_gives_the_committed_bytes()
    {
        string committed = Path.Combine(Corpus.RepositoryRoot, "src", "CloudAnon.Core", "Profile", "iod-attribute-types.tsv");
        string regenerated = Path.Combine(Path.GetTempPath(), $"iod-attribute-types-{Guid.NewGuid():N}.tsv");
        try
        {
            IodTypeGenerator.Generate(GdcmXmlDirectory, CurrentIodModules, Overrides, regenerated);
            Assert.Equal(File.ReadAllBytes(committed), File.ReadAllBytes(regenerated));
        }
        finally
        {
            File.Delete(regenerated);
        }
    }
}
