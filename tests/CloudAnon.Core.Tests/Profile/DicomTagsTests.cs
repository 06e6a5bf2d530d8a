using CloudAnon.Dicom;
using CloudAnon.Generate;

namespace CloudAnon.Core.Tests.Profile;

/// <summary>The named tags are the dictionary's, as its generator writes them: no tag constant is typed by hand.</summary>
public sealed class DicomTagsTests
{
    private static string Dictionary(string file) => Path.Combine(Corpus.RepositoryRoot, "src", "CloudAnon.Dicom", "Dictionary", file);

    [Fact]
    public void Regenerating_the_named_tags_gives_the_committed_bytes()
    {
        string regenerated = Path.Combine(Path.GetTempPath(), $"DicomTags-{Guid.NewGuid():N}.g.cs");
        try
        {
            int count = TagConstantsGenerator.Generate(Dictionary("dictionary.tsv"), regenerated);
            Assert.True(count > 4000, $"only {count} named tags");
            Assert.Equal(File.ReadAllBytes(Dictionary("DicomTags.g.cs")), File.ReadAllBytes(regenerated));
        }
        finally
        {
            File.Delete(regenerated);
        }
    }

    [Theory]
    [InlineData("PatientName", 0x0010_0010u)]
    [InlineData("EncryptedAttributesSequence", 0x0400_0500u)]
    [InlineData("BurnedInAnnotation", 0x0028_0301u)]
    [InlineData("ResponsiblePerson", 0x0010_2297u)]
    public void A_named_tag_is_the_one_the_dictionary_gives_its_keyword(string keyword, uint expected)
    {
        var named = (DicomTag)typeof(DicomTags).GetProperty(keyword)!.GetValue(null)!;
        Assert.True(DicomDictionary.TryGetTag(keyword, out var fromDictionary));
        Assert.Equal(expected, named.Value);
        Assert.Equal(fromDictionary, named);
    }
}
