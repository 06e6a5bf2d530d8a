using CloudAnon.Core.Engine;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using static CloudAnon.Core.Tests.Engine.EnginePartFixtures;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>ReplacementPlan's contract: every replacement of a file resolved in one batch, consistent through the mapping store.</summary>
public sealed class ReplacementPlanTests
{
    private static readonly UidGenerator Uids = new(new byte[32], root: null);

    private static Task<Replacements> ResolveAsync(DicomDataset dataset, IMappingStore store, ProfileOptions options = ProfileOptions.None) =>
        new ReplacementPlan(new DeidentificationOptions { ProfileOptions = options }, Uids, store)
            .ResolveAsync(Plan(dataset, options), dataset.GetAsciiString(DicomTag.StudyInstanceUid)!, CancellationToken.None);

    [Fact]
    public async Task Instance_uids_get_replacements_and_well_known_uids_stay()
    {
        var replacements = await ResolveAsync(CtDataset(), new InMemoryMappingStore());

        Assert.Equal(new[] { "1.2.3.4.5", "1.2.3.4.5.6.7" }, replacements.Uids.Keys.Order(StringComparer.Ordinal));
        Assert.All(replacements.Uids, pair => Assert.StartsWith("2.25.", pair.Value));
        Assert.False(replacements.Uids.ContainsKey(CtImageStorage));
    }

    [Fact]
    public async Task One_patient_gets_one_pseudonym_across_files_and_another_patient_another()
    {
        var store = new InMemoryMappingStore();
        var first = await ResolveAsync(CtDataset(), store);
        var again = await ResolveAsync(CtDataset(), store);
        var other = await ResolveAsync(CtDataset(patientId: "PID-0815", patientName: "Roe^Richard"), store);

        Assert.StartsWith("ANON-", first.PatientPseudonym);
        Assert.Equal(first.PatientPseudonym, again.PatientPseudonym);
        Assert.NotEqual(first.PatientPseudonym, other.PatientPseudonym);
        Assert.Equal(first.Uids, again.Uids);
    }

    [Fact]
    public async Task Dates_get_a_per_patient_offset_of_one_to_ten_years_back_only_under_Modified_Dates()
    {
        var store = new InMemoryMappingStore();
        Assert.Null((await ResolveAsync(CtDataset(), store)).DateOffsetDays);

        var shifted = await ResolveAsync(CtDataset(), store, ProfileOptions.RetainLongitudinalModifiedDates);
        Assert.InRange(shifted.DateOffsetDays!.Value, -3652, -365);
        Assert.Equal(shifted.DateOffsetDays, (await ResolveAsync(CtDataset(), store, ProfileOptions.RetainLongitudinalModifiedDates)).DateOffsetDays);
    }

    [Fact]
    public async Task The_cleaner_cuts_the_values_the_profile_takes_away()
    {
        var replacements = await ResolveAsync(CtDataset(patientId: "PID-4711"), new InMemoryMappingStore());

        string cleaned = replacements.Cleaner.Clean("Prior exam of PID-4711 reviewed", runningText: true);

        Assert.DoesNotContain("PID-4711", cleaned, StringComparison.Ordinal);
        Assert.Contains("reviewed", cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mapping_store_failure_refuses_the_file_as_the_environments_fault()
    {
        var refused = await Assert.ThrowsAsync<DeidentificationException>(() => ResolveAsync(CtDataset(), new UnreachableStore()));
        Assert.Equal(DeidentificationFailure.MappingStoreUnavailable, refused.Failure);
        Assert.IsType<MappingStoreException>(refused.InnerException);
    }

    /// <summary>A store whose service cannot be reached: the one fault a real in-memory store cannot show.</summary>
    private sealed class UnreachableStore : IMappingStore
    {
        public ValueTask<IReadOnlyList<string>> GetOrAddAsync(IReadOnlyList<MappingRequest> requests, CancellationToken cancellationToken = default) =>
            throw new MappingStoreException("Table Storage could not be reached after retries.");
    }
}
