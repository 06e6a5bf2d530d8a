using System.Text.RegularExpressions;
using CloudAnon.Core.Engine;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// The names gazetteer on its own: the rules of <see cref="NameGazetteer"/> on real RIS phrasing, and what it changes
/// in every text value of the corpus that the clean options clean, listed for review.
/// </summary>
public sealed class NameGazetteerTests(ITestOutputHelper output)
{
    private const ProfileOptions CleanOptions = ProfileOptions.CleanDescriptors | ProfileOptions.CleanStructuredContent;
    /// <summary>Plans as the engine does under the clean options (irreversible: planning needs no certificate).</summary>
    private static readonly Deidentifier Planner = new(new DeidentificationOptions { ProfileOptions = CleanOptions, Irreversible = true },
        new CloudAnon.Core.Mapping.InMemoryMappingStore(), null);

    [Theory]
    [InlineData("Husband John Smith at bedside", "Husband [REMOVED] at bedside")]
    [InlineData("outside study of Margaret Okonkwo", "outside study of [REMOVED]")]
    [InlineData("fell at Whitfield farm", "fell at [REMOVED] farm")]
    [InlineData("compare J. Brennan's report", "compare [REMOVED] report")]
    [InlineData("wife Anna Kowalczyk-Nowak called", "wife [REMOVED] called")]
    [InlineData("copy to Müller today", "copy to [REMOVED] today")]
    [InlineData("HUSBAND JOHN SMITH AT BEDSIDE", "HUSBAND [REMOVED] AT BEDSIDE")]
    // Imaging words the lists hold stay, and a single name at the start of a sentence has no evidence.
    [InlineData("Routine Brain, T1 Dixon, Bolus Chase, Black Blood, Echo Time, Field Strength", "Routine Brain, T1 Dixon, Bolus Chase, Black Blood, Echo Time, Field Strength")]
    [InlineData("MR BRAIN W/O CONTRAST, PET HEAD & NECK, MAX IP", "MR BRAIN W/O CONTRAST, PET HEAD & NECK, MAX IP")]
    [InlineData("Philips Ingenia 3T, Temple region, study of May 2019", "Philips Ingenia 3T, Temple region, study of May 2019")]
    [InlineData("Grant application", "Grant application")]
    public void Cuts_capitalised_runs_that_hold_a_known_name(string text, string expected) =>
        Assert.Equal(expected, NameGazetteer.Default.Cut(text));

    [Fact]
    public async Task On_the_corpus_it_changes_few_values_and_no_word_the_corpus_writes_in_lower_case()
    {
        var texts = new HashSet<(string Text, bool RunningText)>();
        foreach (var file in Corpus.WellFormed) await CollectCleanedTexts(file.FullPath, texts);
        // Words the corpus writes in lower case are words of the language, not names: the gazetteer must leave them.
        var lowerCaseWords = texts.SelectMany(t => Regex.Matches(t.Text, @"(?<!\p{L})\p{Ll}{3,}(?!\p{L})").Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        var withoutGazetteer = new TextCleaner(IdentifyingText.None, uid => uid, null, keepDates: true, useGazetteer: false);
        var withGazetteer = new TextCleaner(IdentifyingText.None, uid => uid, null, keepDates: true, useGazetteer: true);

        var changed = texts.Select(t => (Before: withoutGazetteer.Clean(t.Text, t.RunningText), After: withGazetteer.Clean(t.Text, t.RunningText)))
            .Where(pair => pair.Before != pair.After).OrderBy(pair => pair.Before, StringComparer.Ordinal).ToList();
        var byCue = texts.Select(t => (Before: t.Text, After: withoutGazetteer.Clean(t.Text, t.RunningText))).Where(pair => pair.Before != pair.After)
            .OrderBy(pair => pair.Before, StringComparer.Ordinal).ToList();
        output.WriteLine($"{texts.Count} distinct cleaned text values in {Corpus.WellFormed.Count()} files; the rules by cue and shape change {byCue.Count}:");
        foreach (var (before, after) in byCue) output.WriteLine($"  {before}  →  {after}");
        output.WriteLine($"then the gazetteer changes {changed.Count}:");
        foreach (var (before, after) in changed) output.WriteLine($"  {before}  →  {after}");

        var eaten = changed.SelectMany(pair => CutWords(pair.Before, pair.After)).Where(w => lowerCaseWords.Contains(w.ToLowerInvariant())).ToList();
        Assert.True(eaten.Count == 0, "words the corpus writes in lower case were cut: " + string.Join(", ", eaten));
        Assert.InRange(changed.Count, 0, texts.Count / 50);
    }

    /// <summary>The words of <paramref name="before"/> that are not in <paramref name="after"/>.</summary>
    private static IEnumerable<string> CutWords(string before, string after)
    {
        var kept = Regex.Matches(after, @"\p{L}+").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        return Regex.Matches(before, @"\p{L}+").Select(m => m.Value).Where(w => !kept.Contains(w));
    }

    /// <summary>Every text value the engine's plan cleans (C) under the clean options, as the engine decodes it, and whether it is running text (LT, ST, UT).</summary>
    private static async Task CollectCleanedTexts(string path, HashSet<(string, bool)> texts)
    {
        DicomFile file;
        try
        {
            file = await DicomFile.OpenAsync(System.IO.File.OpenRead(path));
        }
        catch (DicomFormatException)
        {
            return;
        }
        using (file)
        {
            var (_, plan, _) = await Planner.PlanAsync(file.Dataset, CancellationToken.None);
            Collect(plan, texts);
        }
    }

    private static void Collect(DatasetPlan plan, HashSet<(string, bool)> texts)
    {
        foreach (var planned in plan.Elements)
        {
            foreach (var item in planned.Items) Collect(item, texts);
            if (planned.Action == ElementAction.Clean && planned.Element is DicomValueElement { Bulk: null, VR: var vr } value
                && vr.IsString && vr != DicomVR.DA && vr != DicomVR.DT && vr != DicomVR.TM && vr != DicomVR.UI && value.Length > 0)
            {
                texts.Add((ProfilePass.Decode(value, plan.CharacterSet), vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT));
            }
        }
    }
}
