using System.Globalization;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Each Annex E option against the Basic Profile on the same planted file, sharing one mapping store so that UIDs
/// and pseudonyms agree: the option changes exactly the rows its column names, as that column says, and nothing else
/// (a C on bytes the cleaner cannot read acts as the Basic Profile).
/// </summary>
public sealed class ProfileOptionTests
{
    private const string StudyUid = "1.2.826.0.1.3680043.10.999.77";
    private static readonly DicomTag SafeCreator = new(0x0019, 0x0010);
    private static readonly DicomTag SafeBValue = new(0x0019, 0x100C);

    public static TheoryData<ProfileOption> Options() => [.. Enum.GetValues<ProfileOption>()];

    [Theory]
    [MemberData(nameof(Options))]
    public async Task An_option_changes_only_its_own_rows_as_its_column_says(ProfileOption option)
    {
        var store = new InMemoryMappingStore();
        var basic = await RunAsync(ProfileOptions.None, store);
        var withOption = await RunAsync(option.ToSet(), store);
        var planted = PlantFile().File.Dataset;

        var failures = new List<string>();
        foreach (var row in ProfileTable.Current.Rows.Where(r => !r.IsPattern && planted.Contains(r.Tag)))
        {
            var original = planted.Find(row.Tag)!;
            var expected = basic.Find(row.Tag);
            var actual = withOption.Find(row.Tag);
            if (!row.Options.TryGetValue(option, out var cell))
            {
                if (!SameElement(expected, actual)) failures.Add($"{row.Tag} changed though the option has no cell for it");
            }
            else if (cell.Has(ProfileActionCodes.Keep) && !SameElement(original, actual) && !KeptSequence(original, actual))
            {
                failures.Add($"{row.Tag} not kept (K)");
            }
            else if (cell.Codes == ProfileActionCodes.Clean && original is DicomValueElement { VR.IsString: false })
            {
                // Bytes the cleaner cannot read (a maker note, a PTP timestamp): C acts as the Basic Profile.
                if (!SameElement(expected, actual)) failures.Add($"{row.Tag} is binary, but C did not act as the Basic Profile");
            }
            else if (cell.Codes == ProfileActionCodes.Clean && actual is null && original is DicomValueElement { Length: > 0 })
            {
                failures.Add($"{row.Tag} removed though the option cleans it (C)");
            }
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Retain_safe_private_keeps_a_known_safe_private_attribute_with_its_creator()
    {
        var basic = await RunAsync(ProfileOptions.None, new InMemoryMappingStore());
        var kept = await RunAsync(ProfileOptions.RetainSafePrivate, new InMemoryMappingStore());
        Assert.Null(basic.Find(SafeBValue));
        Assert.Equal("1000", kept.GetAsciiString(SafeBValue));
        Assert.Equal("SIEMENS MR HEADER", kept.GetAsciiString(SafeCreator));
        Assert.Null(kept.Find(new DicomTag(0x0009, 0x1010)));
    }

    [Fact]
    public async Task Clean_descriptors_cuts_identifying_values_out_of_descriptions_and_keeps_the_rest()
    {
        var file = PlantFile().File;
        file.Dataset.Set(DicomValueElement.FromString(new DicomTag(0x0010, 0x0030), DicomVR.DA, "19610315"));
        file.Dataset.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x1030), DicomVR.LO,
            "Head CT for PHIMARKPATIENT born 1961-03-15 (15/03/1961, 19610315) follow-up"));
        var harness = new EngineHarness(ProfileOptions.CleanDescriptors);
        var (_, output) = await harness.RunAsync(file);
        using var result = await EngineHarness.ReadAsync(output);
        string description = result.Dataset.GetAsciiString(new DicomTag(0x0008, 0x1030))!;
        Assert.StartsWith("Head CT for ", description);
        Assert.EndsWith(" follow-up", description);
        Assert.DoesNotContain("PHIMARKPATIENT", description);
        Assert.DoesNotContain("1961", description);
    }

    [Fact]
    public async Task Retain_uids_with_modified_dates_shifts_every_date_by_one_offset_per_patient_across_files_and_runs()
    {
        const ProfileOptions options = ProfileOptions.RetainUids | ProfileOptions.RetainLongitudinalModifiedDates;
        var store = new InMemoryMappingStore();
        var studyDate = new DicomTag(0x0008, 0x0020);

        var first = PlantFile(studyUid: "1.2.826.0.1.3680043.10.999.81");
        var second = PlantFile(studyUid: "1.2.826.0.1.3680043.10.999.82", seed: 3);
        // The same patient: the same Patient ID from the same issuer (planted rows give each file its own issuer).
        second.File.Dataset.Set(first.File.Dataset.Find(new DicomTag(0x0010, 0x0021))!);
        var firstDates = DateValues(first.File.Dataset);
        var (firstResult, firstOutput) = await new EngineHarness(options, store).RunAsync(first.File);
        // A second run (a new engine, as on another day) sharing the store, on another study of the same patient.
        var (_, secondOutput) = await new EngineHarness(options, store).RunAsync(second.File);

        using var firstFile = await EngineHarness.ReadAsync(firstOutput);
        using var secondFile = await EngineHarness.ReadAsync(secondOutput);
        int offset = DaysBetween(first.Dates[^1], firstFile.Dataset.GetAsciiString(studyDate)!);
        Assert.InRange(-offset, 365, 3652);
        var shiftedRows = firstDates.Where(d => ProfileTable.Current.Resolve(d.Tag, options) == ProfileAction.Clean).ToList();
        Assert.NotEmpty(shiftedRows);
        foreach (var (tag, date) in shiftedRows)
        {
            Assert.Equal(offset, DaysBetween(date, firstFile.Dataset.GetAsciiString(tag)![..8]));
        }
        Assert.Equal(offset, DaysBetween("19990203", secondFile.Dataset.GetAsciiString(studyDate)!));
        Assert.Equal("1.2.826.0.1.3680043.10.999.81", firstResult.StudyInstanceUid);
        Assert.Equal("MODIFIED", firstFile.Dataset.GetAsciiString(new DicomTag(0x0028, 0x0303)));
    }

    private static PlantedPhi.Planted PlantFile(string studyUid = StudyUid, int seed = 0)
    {
        var planted = PlantedPhi.Create(EngineHarness.ExactProfileRows(), "PHIMARKPATIENT", studyUid, seed);
        planted.File.Dataset.Set(DicomValueElement.FromString(SafeCreator, DicomVR.LO, "SIEMENS MR HEADER"));
        planted.File.Dataset.Set(DicomValueElement.FromString(SafeBValue, DicomVR.IS, "1000"));
        return planted;
    }

    private static async Task<DicomDataset> RunAsync(ProfileOptions options, IMappingStore store)
    {
        var (_, output) = await new EngineHarness(options, store).RunAsync(PlantFile().File);
        return (await EngineHarness.ReadAsync(output)).Dataset;
    }

    private static List<(DicomTag Tag, string Date)> DateValues(DicomDataset dataset) =>
        [.. dataset.Elements.OfType<DicomValueElement>().Where(e => (e.VR == DicomVR.DA || e.VR == DicomVR.DT) && e.Length >= 8)
            .Select(e => (e.Tag, e.GetAsciiString()[..8]))];

    private static int DaysBetween(string from, string to) =>
        DateOnly.ParseExact(to[..8], "yyyyMMdd", CultureInfo.InvariantCulture).DayNumber - DateOnly.ParseExact(from[..8], "yyyyMMdd", CultureInfo.InvariantCulture).DayNumber;

    private static bool SameElement(DicomElement? a, DicomElement? b) => (a, b) switch
    {
        (null, null) => true,
        (DicomValueElement x, DicomValueElement y) => x.VR == y.VR && x.Bytes.Span.SequenceEqual(y.Bytes.Span),
        // Inside items each attribute follows its own row, which the option may name: compare the sequence's shape.
        (DicomSequence x, DicomSequence y) => x.Items.Count == y.Items.Count,
        _ => false,
    };

    /// <summary>K on a sequence keeps it, with the profile still applied inside its items.</summary>
    private static bool KeptSequence(DicomElement original, DicomElement? actual) =>
        original is DicomSequence o && actual is DicomSequence a && o.Items.Count == a.Items.Count;
}
