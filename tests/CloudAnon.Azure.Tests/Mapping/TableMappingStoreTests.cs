using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Azure.Data.Tables;
using CloudAnon.Azure.Mapping;
using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.TestSupport;

namespace CloudAnon.Azure.Tests.Mapping;

/// <summary>The Table Storage mapping store against a real Azurite.</summary>
public sealed class TableMappingStoreTests
{
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public async Task SameOriginalGetsTheSameValueAcrossStoreInstances()
    {
        var table = await CreateTableAsync();
        var study = NewUid();
        string[] originals = [study, NewUid(), NewUid()];

        var first = await NewStore(table).GetOrAddAsync(originals.Select(o => StudyUid(study, o, NewUid())).ToArray());
        var second = await NewStore(table).GetOrAddAsync(originals.Select(o => StudyUid(study, o, NewUid())).ToArray());

        Assert.Equal(first, second);
        Assert.Equal(originals.Length, first.Distinct().Count());
    }

    [Fact]
    public async Task ConcurrentWritersStoreOneValuePerOriginalAndAllGetIt()
    {
        var table = await CreateTableAsync();
        var study = NewUid();
        var originals = Enumerable.Range(0, 50).Select(_ => NewUid()).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(writer => Task.Run(async () =>
            await NewStore(table).GetOrAddAsync(originals.Select(o => StudyUid(study, o, $"2.25.{writer}.{NewSerial()}")).ToArray()))));

        var agreed = results[0];
        Assert.All(results, result => Assert.Equal(agreed, result));
        Assert.Equal(originals.Length, agreed.Distinct().Count());

        var rows = await ReadAllRowsAsync(table);
        Assert.Equal(originals.Length, rows.Count);
        Assert.Equal(agreed.Order(), rows.Select(r => r.GetString("Value")).Order());
    }

    [Fact]
    public async Task RoundTripsForNewKnownAndCachedStudies()
    {
        var table = await CreateTableAsync();
        var study = NewUid();
        MappingRequest[] file = [StudyUid(study, study, NewUid()), StudyUid(study, NewUid(), NewUid()), StudyUid(study, NewUid(), NewUid())];

        var writer = NewStore(table);
        var stored = await writer.GetOrAddAsync(file);
        Assert.Equal(2, writer.RoundTrips); // new study: one query finds nothing, one transaction inserts

        var reader = NewStore(table);
        Assert.Equal(stored, await reader.GetOrAddAsync(file));
        Assert.Equal(1, reader.RoundTrips); // known study, cold cache: one query

        Assert.Equal(stored, await reader.GetOrAddAsync(file));
        Assert.Equal(1, reader.RoundTrips); // warm cache: no round trip

        var nextFile = new[] { file[0], file[1], StudyUid(study, NewUid(), NewUid()) };
        var nextValues = await reader.GetOrAddAsync(nextFile);
        Assert.Equal(2, reader.RoundTrips); // next file of a known study: its new instance UID costs one transaction
        Assert.Equal(nextFile[2].Proposed, nextValues[2]);
    }

    [Fact]
    public async Task RoundTripsAreReportedThroughTheMetricsCounter()
    {
        var table = await CreateTableAsync();
        var operations = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TableMappingStore.MeterName && instrument.Name == TableMappingStore.RoundTripsInstrumentName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (operations)
            {
                operations.Add((string)tags[0].Value!);
            }
        });
        listener.Start();

        var store = NewStore(table);
        var study = NewUid();
        await store.GetOrAddAsync([StudyUid(study, study, NewUid())]);

        // Other tests may run stores at the same time, so this test's two requests are among the recorded ones.
        lock (operations)
        {
            Assert.Contains("query", operations);
            Assert.Contains("transaction", operations);
        }
    }

    [Fact]
    public async Task AnInsertRaceLostInAKnownStudyTakesTheStoredWinner()
    {
        var table = await CreateTableAsync();
        var study = NewUid();
        var studyRequest = StudyUid(study, study, NewUid());
        var instance = NewUid();

        var loser = NewStore(table);
        await loser.GetOrAddAsync([studyRequest]);
        var winner = await NewStore(table).GetOrAddAsync([studyRequest, StudyUid(study, instance, "2.25.1")]);
        var roundTripsBefore = loser.RoundTrips;

        // The loser knows the study, so it inserts first, meets the winner's row (409) and reads it back.
        var values = await loser.GetOrAddAsync([studyRequest, StudyUid(study, instance, "2.25.2")]);

        Assert.Equal(winner, values);
        Assert.Equal(2, loser.RoundTrips - roundTripsBefore);
    }

    [Fact]
    public async Task RowsHoldNoPlaintextOriginalsOrScopeKeys()
    {
        var table = await CreateTableAsync();
        var markers = Enumerable.Range(0, 8).Select(i => $"PHIMARKER{i}X{Guid.NewGuid():N}").ToArray();
        MappingRequest[] requests =
        [
            new(MappingScope.Study, markers[0], MappingKind.Uid, markers[1], "2.25.100"),
            new(MappingScope.Study, markers[0], MappingKind.Pseudonym, markers[2], "ANON-1"),
            new(MappingScope.Study, markers[3], MappingKind.Uid, markers[4], "2.25.101"),
            new(MappingScope.Patient, markers[5], MappingKind.Pseudonym, markers[6], "PAT-1"),
            new(MappingScope.Patient, markers[5], MappingKind.DateOffset, markers[7], "-1234"),
        ];

        await NewStore(table).GetOrAddAsync(requests);

        var rows = await ReadAllRowsAsync(table);
        Assert.Equal(requests.Length, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(["CreatedAt", "Kind", "PartitionKey", "RowKey", "Timestamp", "Value", "odata.etag"], row.Keys.Order(StringComparer.Ordinal));
            foreach (var (_, value) in row)
            {
                var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                Assert.DoesNotContain(markers, marker => text.Contains(marker, StringComparison.OrdinalIgnoreCase));
                Assert.DoesNotContain("PHIMARKER", text, StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Equal(requests.Select(r => r.Proposed).Order(), rows.Select(r => r.GetString("Value")).Order());
    }

    [Fact]
    public async Task PatientScopedRowsAreSharedAcrossStudies()
    {
        var table = await CreateTableAsync();
        const string patientId = "PATIENT-0042";
        var firstStudy = NewUid();
        var secondStudy = NewUid();

        var first = await NewStore(table).GetOrAddAsync(
            [StudyUid(firstStudy, firstStudy, NewUid()), new(MappingScope.Patient, patientId, MappingKind.DateOffset, patientId, "-100")]);
        var second = await NewStore(table).GetOrAddAsync(
            [StudyUid(secondStudy, secondStudy, NewUid()), new(MappingScope.Patient, patientId, MappingKind.DateOffset, patientId, "-200")]);

        Assert.Equal("-100", first[1]);
        Assert.Equal("-100", second[1]);
        Assert.NotEqual(first[0], second[0]);

        var rows = await ReadAllRowsAsync(table);
        Assert.Equal(3, rows.Count);
        Assert.Single(rows, r => r.PartitionKey.StartsWith("p-", StringComparison.Ordinal));
        Assert.Equal(2, rows.Count(r => r.PartitionKey.StartsWith("s-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MoreThanOneHundredNewRowsInOnePartitionAreInsertedInChunks()
    {
        var table = await CreateTableAsync();
        var study = NewUid();
        var file = Enumerable.Range(0, 250).Select(_ => StudyUid(study, NewUid(), NewUid())).ToArray();

        var writer = NewStore(table);
        var stored = await writer.GetOrAddAsync(file);

        Assert.Equal(file.Select(r => r.Proposed), stored);
        Assert.Equal(1 + 3, writer.RoundTrips); // one partition query, then transactions of 100, 100 and 50
        Assert.Equal(file.Length, (await ReadAllRowsAsync(table)).Count);

        var reader = NewStore(table);
        Assert.Equal(stored, await reader.GetOrAddAsync(file.Select(r => r with { Proposed = NewUid() }).ToArray()));
        Assert.Equal(1, reader.RoundTrips); // more misses than one filter holds: the whole partition in one page
    }

    [Fact]
    public async Task ATableFailureThrowsMappingStoreExceptionWithoutKeysOrOriginals()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var missingTable = azurite.GetNewTableClient("absent", TableMappingStore.CreateClientOptions());
        const string original = "PHIMARKER-ORIGINAL";
        var store = NewStore(missingTable);

        var exception = await Assert.ThrowsAsync<MappingStoreException>(async () =>
            await store.GetOrAddAsync([new(MappingScope.Study, original, MappingKind.Uid, original, "2.25.9")]));

        Assert.Equal(404, exception.Status);
        Assert.Contains("404", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(original, exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s-", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MappingTableIsCreatedOnceAndAnExistingOneIsAccepted()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        var service = azurite.CreateTableServiceClient(TableMappingStore.CreateClientOptions());
        var name = AzuriteInstance.NewTableName("created");

        await MappingTable.CreateIfNotExistsAsync(service, name, credential: null);
        await MappingTable.CreateIfNotExistsAsync(service, name, credential: null);
        var store = new TableMappingStore(service.GetTableClient(name), new TableMappingStoreOptions { HashKey = _hashKey });

        var study = NewUid();
        Assert.Equal(["2.25.7"], await store.GetOrAddAsync([StudyUid(study, study, "2.25.7")]));
    }

    [Fact]
    public async Task OptionsAreValidated()
    {
        var table = await CreateTableAsync();

        Assert.Throws<ArgumentException>(() => new TableMappingStore(table, new TableMappingStoreOptions { HashKey = new byte[16] }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TableMappingStore(table, new TableMappingStoreOptions { HashKey = _hashKey, MaxCacheEntries = -1 }));
    }

    [Fact]
    public async Task AFullCacheStartsOverAndStillAnswersFromTheTable()
    {
        var table = await CreateTableAsync();
        var store = new TableMappingStore(table, new TableMappingStoreOptions { HashKey = _hashKey, MaxCacheEntries = 2 });
        var study = NewUid();
        var file = Enumerable.Range(0, 5).Select(_ => StudyUid(study, NewUid(), NewUid())).ToArray();

        var stored = await store.GetOrAddAsync(file);
        var again = await store.GetOrAddAsync(file.Select(r => r with { Proposed = NewUid() }).ToArray());

        Assert.Equal(stored, again);
        Assert.Equal(file.Select(r => r.Proposed), stored);
    }

    private TableMappingStore NewStore(TableClient table) => new(table, new TableMappingStoreOptions { HashKey = _hashKey });

    private static async Task<TableClient> CreateTableAsync()
    {
        var azurite = await AzuriteFixture.EnsureStartedAsync();
        return await azurite.CreateTableAsync("mapping", TableMappingStore.CreateClientOptions());
    }

    private static async Task<List<TableEntity>> ReadAllRowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    private static MappingRequest StudyUid(string study, string original, string proposed) =>
        new(MappingScope.Study, study, MappingKind.Uid, original, proposed);

    /// <summary>A fresh UID in the 2.25 form (a random 128-bit number).</summary>
    internal static string NewUid() => $"2.25.{NewSerial()}";

    private static string NewSerial() =>
        new BigInteger(RandomNumberGenerator.GetBytes(16), isUnsigned: true).ToString(CultureInfo.InvariantCulture);
}
