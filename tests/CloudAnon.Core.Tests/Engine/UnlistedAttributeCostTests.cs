using System.Security.Cryptography;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// What the rule for unlisted attributes costs on each corpus file: the file is de-identified by default and with
/// retain-unlisted-attributes (one replacement key and mapping store, so every other replacement is the same), and
/// each attribute that differs is printed — removed, emptied or given a dummy — with its sequence path. Every
/// difference must be an attribute the allow-list does not keep.
/// </summary>
public sealed class UnlistedAttributeCostTests(ITestOutputHelper output)
{
    public static TheoryData<string> WellFormedFiles() => [.. Corpus.WellFormed.Select(f => f.RelativePath)];

    [Theory]
    [MemberData(nameof(WellFormedFiles))]
    public async Task Prints_what_the_rule_removed_and_each_is_an_attribute_the_allow_list_does_not_keep(string relativePath)
    {
        byte[] input = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        var store = new InMemoryMappingStore();
        byte[] key = RandomNumberGenerator.GetBytes(32);
        DicomDataset? byRule, tableAlone;
        try
        {
            tableAlone = await RunAsync(input, new DeidentificationOptions { Irreversible = true, AllowAlreadyDeidentified = true, ReplacementKey = key, RetainUnlistedAttributes = true }, store);
            byRule = await RunAsync(input, new DeidentificationOptions { Irreversible = true, AllowAlreadyDeidentified = true, ReplacementKey = key }, store);
        }
        catch (DeidentificationException e)
        {
            output.WriteLine($"{relativePath}\trefused ({e.Failure})");
            return;
        }

        var differences = new List<(string Path, DicomTag Tag, string Outcome)>();
        Compare(tableAlone, byRule, "", differences);
        foreach (var (path, tag, outcome) in differences)
        {
            string keyword = DicomDictionary.TryGetEntry(tag, out var attribute) ? attribute.Keyword : "?";
            output.WriteLine($"{relativePath}\t{path}{tag}\t{keyword}\t{outcome}");
            bool removedByRule = DicomDictionary.TryGetEntry(tag, out attribute) && UnlistedAttributes.Current.TryGet(attribute, out var entry) && !entry.Keep;
            Assert.True(removedByRule, $"{path}{tag} {keyword} differs, but the rule for unlisted attributes does not remove it");
        }
        if (differences.Count == 0) output.WriteLine($"{relativePath}\tnothing removed");
    }

    private static async Task<DicomDataset> RunAsync(byte[] input, DeidentificationOptions options, IMappingStore store)
    {
        using var file = await EngineHarness.ReadAsync(input);
        var (_, bytes) = await new EngineHarness(options, store).RunAsync(file);
        return (await EngineHarness.ReadAsync(bytes)).Dataset;
    }

    /// <summary>The elements of <paramref name="kept"/> that <paramref name="decided"/> lacks or holds otherwise; sequences in both are compared item by item.</summary>
    private static void Compare(DicomDataset kept, DicomDataset decided, string path, List<(string, DicomTag, string)> differences)
    {
        foreach (var element in kept.Elements)
        {
            var other = decided.Find(element.Tag);
            switch (element, other)
            {
                case (_, null):
                    differences.Add((path, element.Tag, "removed"));
                    break;
                case (DicomSequence sequence, DicomSequence otherSequence) when sequence.Items.Count == otherSequence.Items.Count:
                    for (int i = 0; i < sequence.Items.Count; i++) Compare(sequence.Items[i], otherSequence.Items[i], $"{path}{element.Tag}[{i}]>", differences);
                    break;
                case (DicomValueElement value, DicomValueElement otherValue) when value.Bulk is not null || value.Bytes.Span.SequenceEqual(otherValue.Bytes.Span):
                    break;
                case (not (DicomValueElement or DicomSequence), _): // encapsulated pixel data: the same fragments in both
                    break;
                default:
                    differences.Add((path, element.Tag, other is DicomValueElement { Length: 0 } or DicomSequence { Items.Count: 0 } ? "emptied" : "dummy"));
                    break;
            }
        }
    }
}
