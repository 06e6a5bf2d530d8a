using CloudAnon.Core.Engine;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>The file's names found in text in their other spellings: diacritics taken off and transliterations, both ways.</summary>
public sealed class NameSpellingsTests
{
    [Theory]
    [InlineData("MUELLER", "Müller, MÜLLER, Muller and Mueller", "[REMOVED], [REMOVED], [REMOVED] and [REMOVED]")]
    [InlineData("Müller", "MUELLER, Mueller and Muller", "[REMOVED], [REMOVED] and [REMOVED]")]
    [InlineData("JOERG", "Jörg, Jorg; Jorgensen stays", "[REMOVED], [REMOVED]; Jorgensen stays")]
    [InlineData("Strauß", "STRAUSS and Strauss", "[REMOVED] and [REMOVED]")]
    [InlineData("Søren", "Soeren, Soren", "[REMOVED], [REMOVED]")]
    [InlineData("Åse", "Aase, ASE", "[REMOVED], [REMOVED]")]
    [InlineData("Hélène", "HELENE", "[REMOVED]")]
    [InlineData("Muñoz", "Munoz", "[REMOVED]")]
    [InlineData("Çelik", "CELIK", "[REMOVED]")]
    [InlineData("Łukasz", "Lukasz", "[REMOVED]")]
    [InlineData("DVORAK", "Dvořák's study", "[REMOVED]'s study")]
    // A transliteration read back shorter than three letters is not used: JOE does not cut "jo" or "do".
    [InlineData("DOE", "do not; Dö; Doe", "do not; Dö; [REMOVED]")]
    public void Cuts_every_spelling_of_a_name_and_keeps_the_words_around_it(string name, string text, string expected) =>
        Assert.Equal(expected, new NameSpellings([name]).Cut(text));
}
